package dev.jdm.host.log;

import dev.jdm.abi.LogLevel;

/**
 * One record of the log ring.
 *
 * @param seq sequence number, from 1, never reused
 * @param monotonicNanos time since host start
 * @param level printk level
 * @param source module name, or {@code host} for the host itself
 * @param message the text
 */
public record LogRecord(long seq, long monotonicNanos, LogLevel level, String source, String message) {
    /** dmesg's form: {@code [    1.234567] source: message}. */
    public String format() {
        long micros = monotonicNanos / 1000;
        return String.format("[%5d.%06d] %s: %s", micros / 1_000_000, micros % 1_000_000, source, message);
    }
}

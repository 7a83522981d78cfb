package dev.jdm.abi.chr;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/**
 * One record of the host's log.
 *
 * @param seq its sequence number
 * @param micros microseconds since the host started
 * @param level its level
 * @param source who logged it (a module's name, {@code host}, ...)
 * @param message one line
 */
@Provided
@Since("JDM_1.2")
public record LogLine(long seq, long micros, LogLevel level, String source, String message) {}

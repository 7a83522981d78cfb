package dev.jdm.drivers.chrinput;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Linux's {@code struct input_event} on 64-bit machines: a timeval (two longs), type, code
 * (unsigned shorts) and value (an int), 24 bytes in the machine's byte order.
 */
final class Events {
    static final int SIZE = 24;
    static final int EV_SYN = 0;
    static final int EV_KEY = 1;
    static final int SYN_REPORT = 0;
    /** The highest event type (EV_MAX). */
    static final int EV_MAX = 0x1f;
    /** The highest key code (KEY_MAX). */
    static final int KEY_MAX = 0x2ff;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    /** One event, packed: time in microseconds, type, code, value. */
    record Event(long micros, int type, int code, int value) {
        void writeTo(MemorySegment dst, long offset) {
            dst.set(LONG, offset, micros / 1_000_000);
            dst.set(LONG, offset + 8, micros % 1_000_000);
            dst.set(SHORT, offset + 16, (short) type);
            dst.set(SHORT, offset + 18, (short) code);
            dst.set(INT, offset + 20, value);
        }
    }

    /** The event at {@code offset} of {@code src}, as Linux wrote it. */
    static Event readFrom(MemorySegment src, long offset) {
        long micros = src.get(LONG, offset) * 1_000_000 + src.get(LONG, offset + 8);
        return new Event(micros, Short.toUnsignedInt(src.get(SHORT, offset + 16)), Short.toUnsignedInt(src.get(SHORT, offset + 18)),
                src.get(INT, offset + 20));
    }

    private Events() {}
}

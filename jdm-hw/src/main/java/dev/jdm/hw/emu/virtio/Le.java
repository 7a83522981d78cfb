package dev.jdm.hw.emu.virtio;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian layouts for DMA memory, and register files kept as byte arrays. */
final class Le {
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Le() {
    }

    /** {@code size} bytes at {@code offset}, zero-extended; bytes past the array read as 0. */
    static long get(byte[] a, long offset, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            long at = offset + i;
            if (at >= 0 && at < a.length) {
                v |= (a[(int) at] & 0xffL) << (8 * i);
            }
        }
        return v;
    }

    /** Stores {@code size} bytes of {@code value} at {@code offset}. */
    static void put(byte[] a, int offset, int size, long value) {
        for (int i = 0; i < size; i++) {
            a[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    /** All ones in {@code size} bytes: what a read the function does not answer returns. */
    static long ones(int size) {
        return size >= 8 ? -1L : (1L << (8 * size)) - 1;
    }
}

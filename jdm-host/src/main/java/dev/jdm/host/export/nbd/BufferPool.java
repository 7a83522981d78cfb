package dev.jdm.host.export.nbd;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Direct buffers for one connection's payloads, in power-of-two classes from 4 KiB to 32 MiB. A
 * bounded number of bytes is kept for reuse; the rest goes back to the garbage collector.
 */
class BufferPool {
    private static final int MIN_SHIFT = 12;
    private static final int MAX_SHIFT = 25;
    private final ArrayDeque<ByteBuffer>[] free;
    private final long keepBytes;
    private long keptBytes;

    @SuppressWarnings("unchecked")
    BufferPool(long keepBytes) {
        this.keepBytes = keepBytes;
        this.free = new ArrayDeque[MAX_SHIFT - MIN_SHIFT + 1];
        for (int i = 0; i < free.length; i++) {
            free[i] = new ArrayDeque<>();
        }
    }

    private static int classOf(int length) {
        int shift = Math.max(MIN_SHIFT, 32 - Integer.numberOfLeadingZeros(Math.max(1, length) - 1));
        if (shift > MAX_SHIFT) {
            throw new IllegalArgumentException("buffer of " + length + " bytes exceeds " + (1 << MAX_SHIFT));
        }
        return shift - MIN_SHIFT;
    }

    /** A buffer with position 0 and limit {@code length}. */
    ByteBuffer take(int length) {
        int c = classOf(length);
        ByteBuffer b;
        synchronized (this) {
            b = free[c].pollFirst();
            if (b != null) {
                keptBytes -= b.capacity();
            }
        }
        if (b == null) {
            b = allocate(1 << (c + MIN_SHIFT));
        }
        return b.clear().limit(length);
    }

    /** A new direct buffer; may throw OutOfMemoryError, which the caller turns into ENOMEM. */
    ByteBuffer allocate(int capacity) {
        return ByteBuffer.allocateDirect(capacity);
    }

    /** Returns a buffer from {@link #take}. */
    void give(ByteBuffer b) {
        synchronized (this) {
            if (keptBytes + b.capacity() <= keepBytes) {
                keptBytes += b.capacity();
                free[classOf(b.capacity())].addFirst(b);
            }
        }
    }
}

package dev.jdm.host.calls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Native buffers for bulk device reads, reused: a driver fills one and the gate writes it to the
 * socket as it is, so a read costs no heap array to clear and no copy. At most {@link #IDLE} are
 * kept between reads; the rest are left to the collector ({@link Arena#ofAuto}), since a buffer
 * may still be in a driver's hands when the host stops.
 */
final class ReadBuffers {
    /** One buffer's size; larger reads take the heap path. */
    static final int SIZE = 1 << 20;
    /** Buffers kept while no read needs them. */
    static final int IDLE = 8;
    private final ConcurrentLinkedQueue<MemorySegment> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger idleCount = new AtomicInteger();

    /** A buffer of {@link #SIZE} bytes, to be given back with {@link #release}. */
    MemorySegment take() {
        MemorySegment s = idle.poll();
        if (s == null) {
            return Arena.ofAuto().allocate(SIZE, 4096);
        }
        idleCount.decrementAndGet();
        return s;
    }

    /** Gives a buffer back once its reply is written. */
    void release(MemorySegment s) {
        if (idleCount.incrementAndGet() <= IDLE) {
            idle.add(s);
        } else {
            idleCount.decrementAndGet();
        }
    }
}

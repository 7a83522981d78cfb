package dev.jdm.isolation.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The producing side of one ring. Ordering: the slot is written with plain stores, then the tail is
 * published with a release store, so a consumer that reads the tail with acquire sees the whole slot
 * (sDDF and io_uring publish the same way). The consumer's head is read with acquire, so a slot is
 * reused only after the consumer's last read of it.
 *
 * <p>Not thread-safe: one producer thread per ring, as the name says.
 */
public final class RingProducer {
    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment ring;
    private final int capacity;
    private final String name;
    private long tail;
    private long head;
    private long doorbells;

    /** A producer over {@code ring} (a {@link RingLayout} of {@code capacity} slots), starting empty. */
    public RingProducer(MemorySegment ring, int capacity, String name) {
        if (ring.byteSize() < RingLayout.ringBytes(capacity)) {
            throw new IllegalArgumentException(name + ": segment of " + ring.byteSize() + " bytes is too small for " + capacity + " slots");
        }
        this.ring = ring;
        this.capacity = capacity;
        this.name = name;
        this.tail = (long) LONG.getAcquire(ring, (long) RingLayout.TAIL_OFFSET);
        this.head = tail;
    }

    /**
     * Publishes {@code d}; false when the ring is full. A head the consumer moved backwards or past
     * the tail is refused.
     */
    public boolean offer(RequestDescriptor d) throws PeerFaultException {
        if (tail - head >= capacity) {
            refreshHead();
            if (tail - head >= capacity) {
                return false;
            }
        }
        d.write(ring, RingLayout.slotOffset(tail, capacity));
        LONG.setRelease(ring, (long) RingLayout.TAIL_OFFSET, tail + 1);
        tail++;
        return true;
    }

    /**
     * After one or more {@link #offer}s: whether the consumer asked to be woken, claiming the request
     * so that one sleep costs one doorbell. The full fence orders the tail store before the flag load
     * (the consumer fences between setting the flag and reading the tail): without it both could miss
     * each other and the consumer would sleep on a non-empty ring.
     */
    public boolean claimNotify() {
        VarHandle.fullFence();
        if ((int) INT.getVolatile(ring, (long) RingLayout.WAITING_OFFSET) == 0) {
            return false;
        }
        boolean won = INT.compareAndSet(ring, (long) RingLayout.WAITING_OFFSET, 1, 0);
        if (won) {
            doorbells++;
        }
        return won;
    }

    private void refreshHead() throws PeerFaultException {
        long h = (long) LONG.getAcquire(ring, (long) RingLayout.HEAD_OFFSET);
        if (h < head || h > tail) {
            throw new PeerFaultException(name, "head", h, "in [" + head + ", " + tail + "]");
        }
        head = h;
    }

    /** Slots published and not yet consumed, as last seen. */
    public long pending() throws PeerFaultException {
        refreshHead();
        return tail - head;
    }

    /** Doorbells this producer claimed (for statistics and tests). */
    public long doorbells() {
        return doorbells;
    }

    public long tail() {
        return tail;
    }
}

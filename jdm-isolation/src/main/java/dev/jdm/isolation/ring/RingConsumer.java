package dev.jdm.isolation.ring;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The consuming side of one ring: reads the tail with acquire, copies the slot, then releases the
 * head so the producer may reuse the slot. A tail that moves backwards or more than {@code capacity}
 * ahead of the head is refused ({@link PeerFaultException}).
 *
 * <p>Sleeping: {@link #announceWaiting} sets the waiting flag and fences; the caller then polls once
 * more and either {@link #cancelWaiting cancels} (something arrived) or sleeps on its doorbell. The
 * producer rings only when it finds the flag set, so a consumer that keeps up gets no doorbells at
 * all and a sleeping one gets one per empty-to-non-empty transition.
 */
public final class RingConsumer {
    private final MemorySegment ring;
    private final int capacity;
    private final String name;
    private long head;
    private long tail;

    public RingConsumer(MemorySegment ring, int capacity, String name) {
        if (ring.byteSize() < RingLayout.ringBytes(capacity)) {
            throw new IllegalArgumentException(name + ": segment of " + ring.byteSize() + " bytes is too small for " + capacity + " slots");
        }
        this.ring = ring;
        this.capacity = capacity;
        this.name = name;
        this.head = (long) RingProducer.LONG.getAcquire(ring, (long) RingLayout.HEAD_OFFSET);
        this.tail = head;
    }

    /** The next descriptor, or null when the ring is empty. */
    public RequestDescriptor poll() throws PeerFaultException {
        if (head == tail) {
            long t = (long) RingProducer.LONG.getAcquire(ring, (long) RingLayout.TAIL_OFFSET);
            if (t < tail || t - head > capacity) {
                throw new PeerFaultException(name, "tail", t, "in [" + tail + ", " + (head + capacity) + "]");
            }
            tail = t;
            if (head == tail) {
                return null;
            }
        }
        RequestDescriptor d = RequestDescriptor.read(ring, RingLayout.slotOffset(head, capacity));
        RingProducer.LONG.setRelease(ring, (long) RingLayout.HEAD_OFFSET, head + 1);
        head++;
        return d;
    }

    /** Asks the producer for a doorbell; the caller must poll once more before sleeping. */
    public void announceWaiting() {
        RingProducer.INT.setVolatile(ring, (long) RingLayout.WAITING_OFFSET, 1);
        VarHandle.fullFence();
    }

    /** Withdraws the request after the last poll found work (a doorbell already claimed is harmless). */
    public void cancelWaiting() {
        RingProducer.INT.compareAndSet(ring, (long) RingLayout.WAITING_OFFSET, 1, 0);
    }

    public long head() {
        return head;
    }

    public String name() {
        return name;
    }
}

package dev.jdm.isolation.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One slot of a ring: a request (host to domain) or its completion (domain to host), laid out as
 * {@link RingLayout}'s {@code SLOT_*} offsets say. {@code status} is 0 in a request and, in a
 * completion, 0 or more for success (bytes, or an operation-defined value) or {@code -errno}.
 *
 * <p>Reading a slot copies every field once, so that the checks which follow look at values the peer
 * can no longer change under them.
 */
public record RequestDescriptor(long id, int op, int flags, long offset, int length, int bufferIndex, int status) {
    /** {@code bufferIndex} of a request that carries no data (a flush). */
    public static final int NO_BUFFER = -1;

    /** Copies the slot at {@code at} of {@code ring}. */
    static RequestDescriptor read(MemorySegment ring, long at) {
        return new RequestDescriptor(
                ring.get(ValueLayout.JAVA_LONG, at + RingLayout.SLOT_ID),
                ring.get(ValueLayout.JAVA_INT, at + RingLayout.SLOT_OP),
                ring.get(ValueLayout.JAVA_INT, at + RingLayout.SLOT_FLAGS),
                ring.get(ValueLayout.JAVA_LONG, at + RingLayout.SLOT_OFFSET),
                ring.get(ValueLayout.JAVA_INT, at + RingLayout.SLOT_LENGTH),
                ring.get(ValueLayout.JAVA_INT, at + RingLayout.SLOT_BUFFER),
                ring.get(ValueLayout.JAVA_INT, at + RingLayout.SLOT_STATUS));
    }

    /** Writes this descriptor into the slot at {@code at}. */
    void write(MemorySegment ring, long at) {
        ring.set(ValueLayout.JAVA_LONG, at + RingLayout.SLOT_ID, id);
        ring.set(ValueLayout.JAVA_INT, at + RingLayout.SLOT_OP, op);
        ring.set(ValueLayout.JAVA_INT, at + RingLayout.SLOT_FLAGS, flags);
        ring.set(ValueLayout.JAVA_LONG, at + RingLayout.SLOT_OFFSET, offset);
        ring.set(ValueLayout.JAVA_INT, at + RingLayout.SLOT_LENGTH, length);
        ring.set(ValueLayout.JAVA_INT, at + RingLayout.SLOT_BUFFER, bufferIndex);
        ring.set(ValueLayout.JAVA_INT, at + RingLayout.SLOT_STATUS, status);
    }

    /** The completion of this request with {@code status}. */
    public RequestDescriptor complete(int status) {
        return new RequestDescriptor(id, op, flags, offset, length, bufferIndex, status);
    }
}

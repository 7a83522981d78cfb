package dev.jdm.isolation.ring;

import java.lang.foreign.MemorySegment;
import java.util.BitSet;

/**
 * The host's allocator over a {@link BufferArea}. Its free list lives in the host's own heap, not
 * in shared memory, so a domain cannot hand itself a buffer or corrupt the list.
 */
public final class BufferPool {
    private final BufferArea area;
    private final int[] free;
    private final BitSet used;
    private int top;

    public BufferPool(BufferArea area) {
        this.area = area;
        this.free = new int[area.count()];
        this.used = new BitSet(area.count());
        for (int i = 0; i < free.length; i++) {
            free[i] = free.length - 1 - i;
        }
        this.top = free.length;
    }

    /** A free buffer's index, or -1 when all are in use. */
    public int allocate() {
        if (top == 0) {
            return -1;
        }
        int i = free[--top];
        used.set(i);
        return i;
    }

    /** Returns {@code index} to the pool; releasing one that is not allocated is a bug and throws. */
    public void release(int index) {
        if (index < 0 || index >= free.length || !used.get(index)) {
            throw new IllegalStateException("buffer " + index + " is not allocated");
        }
        used.clear(index);
        free[top++] = index;
    }

    /** The whole buffer {@code index} (owned by the caller, so no check against the peer is needed). */
    public MemorySegment buffer(int index) {
        if (!used.get(index)) {
            throw new IllegalStateException("buffer " + index + " is not allocated");
        }
        try {
            return area.slice(index, area.size());
        } catch (PeerFaultException e) {
            throw new IllegalStateException(e);
        }
    }

    public int available() {
        return top;
    }

    public BufferArea area() {
        return area;
    }
}

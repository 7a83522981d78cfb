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

    /**
     * The first of {@code count} consecutive free buffers, all now allocated, or -1 when no such
     * run is free. For a caller that hands out one contiguous stretch of the area; each buffer of
     * the run is released on its own.
     */
    public int allocateRun(int count) {
        if (count < 1 || count > free.length) {
            throw new IllegalArgumentException("a run of " + count + " buffers in a pool of " + free.length);
        }
        for (int first = used.nextClearBit(0); first + count <= free.length; first = used.nextClearBit(first + 1)) {
            int taken = used.nextSetBit(first);
            if (taken < 0 || taken >= first + count) {
                used.set(first, first + count);
                int kept = 0;
                for (int i = 0; i < top; i++) {
                    if (!used.get(free[i])) {
                        free[kept++] = free[i];
                    }
                }
                top = kept;
                return first;
            }
            first = taken; // no run fits before the next used buffer
        }
        return -1;
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

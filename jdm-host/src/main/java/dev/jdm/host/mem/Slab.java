package dev.jdm.host.mem;

import java.lang.foreign.MemorySegment;

/**
 * One slab: a run of equal-sized objects in one block of memory, with a stack of free slots and a
 * bitmap of live ones so a double free is caught. Not thread-safe: the owning allocator locks.
 */
final class Slab {
    final MemorySegment memory;
    final long base;
    final int objectSize;
    final int count;
    private final int[] freeStack;
    private int freeTop;
    private final long[] live;
    /** Requested size of each live object, for accounting and checking kfree's segment. */
    final int[] requested;
    /** Allocation site of each live object, in debug mode. */
    final String[] sites;

    Slab(MemorySegment memory, int objectSize) {
        this.memory = memory;
        this.base = memory.address();
        this.objectSize = objectSize;
        this.count = (int) (memory.byteSize() / objectSize);
        this.freeStack = new int[count];
        for (int i = 0; i < count; i++) {
            freeStack[i] = count - 1 - i;
        }
        this.freeTop = count;
        this.live = new long[(count + 63) >>> 6];
        this.requested = new int[count];
        this.sites = new String[count];
    }

    boolean isFull() {
        return freeTop == 0;
    }

    /** Takes a free slot; the slab must not be full. */
    int take(int size) {
        int slot = freeStack[--freeTop];
        live[slot >>> 6] |= 1L << slot;
        requested[slot] = size;
        return slot;
    }

    boolean isLive(int slot) {
        return (live[slot >>> 6] & (1L << slot)) != 0;
    }

    void release(int slot) {
        live[slot >>> 6] &= ~(1L << slot);
        sites[slot] = null;
        freeStack[freeTop++] = slot;
    }

    boolean contains(long address) {
        return address >= base && address < base + (long) count * objectSize;
    }
}

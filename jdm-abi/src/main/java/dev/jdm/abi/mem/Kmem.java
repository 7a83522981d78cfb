package dev.jdm.abi.mem;

import dev.jdm.abi.Provided;
import java.lang.foreign.MemorySegment;

/**
 * A module's off-heap memory: kmalloc for small objects from size-class slabs, vmalloc for large
 * page-granular regions. Everything is accounted to the module; what it leaks is reported and
 * reclaimed when it unloads. Segments become inaccessible once freed or once the module is gone.
 */
@Provided
public interface Kmem {
    /** No special behaviour: may wait for the allocator lock. */
    int GFP_KERNEL = 0;
    /** Zero the memory (kzalloc). */
    int GFP_ZERO = 1;
    /** Never wait: returns {@link MemorySegment#NULL} rather than block. */
    int GFP_ATOMIC = 2;
    /** Align to {@link #DMA_ALIGNMENT} for device access. */
    int GFP_DMA = 4;
    /** Alignment of {@link #GFP_DMA} allocations and of vmalloc regions' pages' cache lines. */
    int DMA_ALIGNMENT = 64;
    /** Page size of vmalloc regions. */
    int PAGE_SIZE = 4096;
    /** Largest kmalloc size; larger requests belong to vmalloc. */
    int KMALLOC_MAX_SIZE = 128 * 1024;

    /**
     * Allocates {@code size} bytes ({@code 1..KMALLOC_MAX_SIZE}).
     *
     * @return the memory, or {@link MemorySegment#NULL} if {@link #GFP_ATOMIC} could not be met
     *     at once
     * @throws KmemException if the size is out of range or the module's memory limit is reached
     */
    MemorySegment kmalloc(long size, int flags);

    /** {@link #kmalloc} with {@link #GFP_ZERO}. */
    MemorySegment kzalloc(long size, int flags);

    /**
     * Frees memory from {@link #kmalloc}.
     *
     * @throws KmemException on a double free or a segment this module did not kmalloc
     */
    void kfree(MemorySegment segment);

    /** Allocates a zeroed, page-granular region; its pages take memory only when first written. */
    MemorySegment vmalloc(long size);

    /**
     * Frees a region from {@link #vmalloc}.
     *
     * @throws KmemException on a double free or a segment this module did not vmalloc
     */
    void vfree(MemorySegment segment);

    /** What this module holds now. */
    MemStats stats();
}

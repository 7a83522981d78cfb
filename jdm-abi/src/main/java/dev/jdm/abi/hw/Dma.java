package dev.jdm.abi.hw;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/** DMA memory for one device, allocated from the module's kmem. */
@Provided
@Since("JDM_1.2")
public interface Dma {
    /**
     * A zeroed, page-aligned coherent buffer of {@code size} bytes that the device reaches at its
     * bus address.
     *
     * @throws HwException ENOMEM past the module's memory limit, EINVAL for a size below 1
     */
    DmaBuffer coherent(long size);

    /**
     * A streaming mapping, as Linux's {@code dma_map_single}: the device reaches {@code memory},
     * which the caller owns (a block request's data), at a bus address until the returned buffer
     * is closed. Closing it unmaps only; the memory stays the caller's. Mapping instead of copying
     * into a coherent buffer spares a copy per request.
     *
     * @throws HwException EINVAL for memory that is not native (a heap array cannot be mapped)
     */
    DmaBuffer map(java.lang.foreign.MemorySegment memory);

    /**
     * A pool of {@code blockSize}-byte blocks aligned to {@code align} (a power of two up to the
     * page size), carved from coherent pages: for descriptors and small headers.
     */
    DmaPool pool(int blockSize, int align);
}

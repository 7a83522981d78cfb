package dev.jdm.hw.emu;

import java.lang.foreign.MemorySegment;

/**
 * What the board gives a plugged device: bus-master access to DMA memory (checked like an IOMMU
 * would, against what the bound driver mapped) and its interrupt lines.
 */
public interface BoardPort {
    /**
     * The DMA memory at {@code busAddress}, {@code length} bytes, for the device to read or write.
     * The segment is valid until the driver unmaps that buffer; a device must not keep it past the
     * request it is serving.
     *
     * @throws DmaFault if any byte of the range is not inside one buffer the driver mapped
     */
    MemorySegment dma(long busAddress, long length);

    /** Sends MSI-X message {@code vector} (already checked against the device's mask bits). */
    void msix(int vector);

    /** Drives the legacy INTx line: asserted until the driver's read clears the cause. */
    void intx(boolean asserted);
}

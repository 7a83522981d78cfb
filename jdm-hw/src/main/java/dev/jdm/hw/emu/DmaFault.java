package dev.jdm.hw.emu;

/**
 * A device's DMA outside what the driver mapped: the board refuses it, as an IOMMU would, and the
 * device must fail the request it was serving (a virtio device marks the device NEEDS_RESET).
 */
public final class DmaFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DmaFault(String message) {
        super(message);
    }
}

package dev.jdm.host.domain;

/**
 * The operations of HW_OP (a driver in a domain reaching its device through the host) and HW_CALL
 * (the host calling that driver). Each register access is one round trip: an emulated device's
 * registers have side effects, so they cannot be plain shared memory (hw/board.md).
 */
public final class HwOps {
    // HW_OP: a = bar, vector or size-class; b = offset or address; width = 1, 2, 4, 8; value = what is written
    public static final int CONFIG_READ = 1, CONFIG_WRITE = 2, FIND_CAPABILITY = 3, MMIO_READ = 4, MMIO_WRITE = 5, PIO_READ = 6,
            PIO_WRITE = 7, PRESENT = 8, IRQ_REQUEST = 9, IRQ_MASK = 10, IRQ_UNMASK = 11, IRQ_FREE = 12, IRQ_POLL = 13, IRQ_DELIVERED = 14,
            IRQ_SPURIOUS = 15, DMA_ALLOC = 16, DMA_FREE = 17, BAR_SIZE = 18;
    // HW_CALL
    public static final int PROBE = 1, REMOVE = 2, IRQ = 3;
    /** Bytes of DMA memory the drivers of one binding may hold at once. */
    public static final long DMA_LIMIT = 256L << 20;

    private HwOps() {}
}

package dev.jdm.abi.hw;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/**
 * A granted memory BAR: register accesses at offsets from its start, little-endian, each aligned
 * to its size. An access outside the window, misaligned or into a range the host keeps throws
 * {@link HwException} EFAULT before reaching the device. Accesses through one window reach the
 * device in program order.
 */
@Provided
@Since("JDM_1.2")
public interface Mmio {
    /** The window's size in bytes. */
    long size();

    int read8(long offset);

    int read16(long offset);

    int read32(long offset);

    long read64(long offset);

    void write8(long offset, int value);

    void write16(long offset, int value);

    void write32(long offset, int value);

    void write64(long offset, long value);

    /** Full barrier: earlier DMA-memory and register accesses complete before later ones. */
    void mb();

    /** Read barrier: earlier reads (a used-ring index) complete before later reads (its entry). */
    void rmb();

    /** Write barrier: earlier writes (a ring entry) are visible before later ones (a doorbell). */
    void wmb();
}

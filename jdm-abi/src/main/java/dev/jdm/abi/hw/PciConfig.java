package dev.jdm.abi.hw;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/** A device's PCI config space, little-endian, as the I/O server lets the driver see it. */
@Provided
@Since("JDM_1.2")
public interface PciConfig {
    /** Its size in bytes: 256 or 4096. */
    int size();

    /**
     * Reads 1, 2 or 4 bytes at {@code offset}, aligned to their size, zero-extended.
     *
     * @throws HwException EFAULT outside the space or misaligned
     */
    int read(int offset, int size);

    /**
     * Writes 1, 2 or 4 bytes at {@code offset}. Fields the host owns (the MSI-X control) keep
     * their value.
     *
     * @throws HwException EFAULT outside the space or misaligned, EPERM for a real device's config
     *     space, which is granted read-only
     */
    void write(int offset, int size, int value);

    /**
     * The offset of the first capability with {@code id} at or after {@code from} in the
     * capability list (0x40 for the first), or 0 if there is none.
     */
    int findCapability(int id, int from);
}

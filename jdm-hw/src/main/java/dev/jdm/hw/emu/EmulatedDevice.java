package dev.jdm.hw.emu;

import java.util.List;

/**
 * A PCI function on the emulated board, as its public specification describes it: a config space,
 * BARs whose registers have the side effects the spec gives them, bus-master DMA into memory the
 * driver mapped, and interrupts. The board (the host's I/O server) calls these methods only for
 * accesses it has already checked against the driver's grants, one access at a time per BAR register
 * as a bus would deliver them; a device serialises its own state.
 */
public interface EmulatedDevice {
    /** What the device's config header announces. */
    PciIdentity identity();

    /** The BARs the device decodes; the board places them and routes accesses by index. */
    List<BarSpec> bars();

    /** A read of 1, 2 or 4 bytes at {@code offset} in the 4 KiB config space, little-endian. */
    int configRead(int offset, int size);

    /** A write of 1, 2 or 4 bytes at {@code offset} in config space; read-only bits are kept. */
    void configWrite(int offset, int size, int value);

    /** A read of 1, 2, 4 or 8 bytes at {@code offset} inside BAR {@code bar}, zero-extended. */
    long barRead(int bar, long offset, int size);

    /** A write of 1, 2, 4 or 8 bytes at {@code offset} inside BAR {@code bar}. */
    void barWrite(int bar, long offset, int size, long value);

    /** Connects the device to the board: from here on it may do DMA and raise interrupts. */
    void plug(BoardPort port);

    /**
     * Disconnects it, as a surprise removal does: it stops touching DMA memory and raising
     * interrupts before this returns, and whatever it had not completed stays incomplete.
     */
    void unplug();

    /** The device's fault-injection switches, shared with the operator's {@code jdm hw fault}. */
    Faults faults();

    /**
     * Whether the driver may only read config space: true for a real device's config granted to a
     * driver ({@link RealConfigDevice}), whose writes the board refuses with EPERM.
     */
    default boolean configReadOnly() {
        return false;
    }

    /**
     * The name of a device on the platform bus ({@code serial8250}), which no bus enumerates: it has
     * no config space a driver sees, its resources are its BARs, its interrupt its INTx line. Null
     * for a PCI function.
     */
    default String platformName() {
        return null;
    }
}

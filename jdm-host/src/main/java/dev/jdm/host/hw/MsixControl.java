package dev.jdm.host.hw;

import dev.jdm.hw.emu.EmulatedDevice;
import dev.jdm.hw.emu.PciConfigSpace;
import java.util.Optional;

/**
 * A device's MSI-X capability, which the host owns as VFIO does: it programs the vector table
 * (each entry's message is the vector's own number, so the board knows which line it is), enables
 * and disables MSI-X, and hides the table and the pending-bit array from the driver.
 */
final class MsixControl {
    static final int CAP_ID = 0x11;
    private static final int ENABLE = 1 << 15, FUNCTION_MASK = 1 << 14, ENTRY = 16;
    private static final long MESSAGE_ADDRESS = 0xfee0_0000L;

    private final EmulatedDevice device;
    private final int cap;
    private final int vectors;
    private final int tableBar;
    private final long tableOffset;
    private final int pbaBar;
    private final long pbaOffset;

    private MsixControl(EmulatedDevice device, int cap) {
        this.device = device;
        this.cap = cap;
        this.vectors = (device.configRead(cap + 2, 2) & 0x7ff) + 1;
        int table = device.configRead(cap + 4, 4);
        int pba = device.configRead(cap + 8, 4);
        this.tableBar = table & 7;
        this.tableOffset = table & ~7L & 0xffffffffL;
        this.pbaBar = pba & 7;
        this.pbaOffset = pba & ~7L & 0xffffffffL;
    }

    /** The device's MSI-X capability, if it has one. */
    static Optional<MsixControl> of(EmulatedDevice device) {
        int cap = Capabilities.find(device::configRead, CAP_ID, 0);
        return cap == 0 ? Optional.empty() : Optional.of(new MsixControl(device, cap));
    }

    int vectors() {
        return vectors;
    }

    /** The message-control word's offset: driver writes there are dropped. */
    int controlOffset() {
        return cap + 2;
    }

    /** The [start, end) ranges of {@code bar} the driver may not touch. */
    long[] hiddenIn(int bar) {
        long tableEnd = tableOffset + (long) vectors * ENTRY;
        long pbaEnd = pbaOffset + ((vectors + 63) / 64) * 8L;
        if (bar == tableBar && bar == pbaBar) {
            return new long[] {tableOffset, tableEnd, pbaOffset, pbaEnd};
        }
        return bar == tableBar ? new long[] {tableOffset, tableEnd} : bar == pbaBar ? new long[] {pbaOffset, pbaEnd} : new long[0];
    }

    /** Programs every entry with its vector number, unmasked, and turns MSI-X on. */
    void enable() {
        for (int v = 0; v < vectors; v++) {
            long entry = tableOffset + (long) v * ENTRY;
            device.barWrite(tableBar, entry, 4, MESSAGE_ADDRESS);
            device.barWrite(tableBar, entry + 4, 4, 0);
            device.barWrite(tableBar, entry + 8, 4, v);
            device.barWrite(tableBar, entry + 12, 4, 0);
        }
        int control = device.configRead(cap + 2, 2);
        device.configWrite(cap + 2, 2, (control | ENABLE) & ~FUNCTION_MASK);
    }

    /** Turns MSI-X off and masks every entry, so a device left running raises nothing. */
    void disable() {
        int control = device.configRead(cap + 2, 2);
        device.configWrite(cap + 2, 2, control & ~ENABLE | FUNCTION_MASK);
        for (int v = 0; v < vectors; v++) {
            device.barWrite(tableBar, tableOffset + (long) v * ENTRY + 12, 4, 1);
        }
    }

    /** Stops the device mastering the bus and decoding, as {@code pci_disable_device} does. */
    static void quiesce(EmulatedDevice device) {
        int command = device.configRead(PciConfigSpace.COMMAND, 2);
        device.configWrite(PciConfigSpace.COMMAND, 2, command & ~(PciConfigSpace.COMMAND_BUS_MASTER | PciConfigSpace.COMMAND_MEMORY | PciConfigSpace.COMMAND_IO));
    }
}

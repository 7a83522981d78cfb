package dev.jdm.host.hw;

import dev.jdm.abi.hw.HwException;

/**
 * What every granted window checks before an access reaches the device: inside the window, aligned
 * to its size, not in a range the host keeps for itself. A refusal is logged under the module's
 * name and thrown as EFAULT. Once the device is gone or the binding removed, reads return all ones
 * and writes are dropped, as a PCI master abort does, so a driver racing a removal sees a dead
 * device rather than an exception in the middle of its I/O path.
 */
abstract class Window {
    private final BoundDevice device;
    private final String what;
    private final long size;
    private final long[] hidden;

    /** @param hidden pairs of [start, end) offsets the driver may not touch */
    Window(BoundDevice device, String what, long size, long... hidden) {
        this.device = device;
        this.what = what;
        this.size = size;
        this.hidden = hidden;
    }

    final long windowSize() {
        return size;
    }

    final BoundDevice device() {
        return device;
    }

    /** Checks an access; true if it may go to the device, false if the device is gone. */
    final boolean admit(long offset, int width, boolean write) {
        if (offset < 0 || offset > size - width) {
            throw refuse(width, offset, write, "outside the window of " + size + " bytes");
        }
        if (offset % width != 0) {
            throw refuse(width, offset, write, "misaligned");
        }
        for (int i = 0; i < hidden.length; i += 2) {
            if (offset < hidden[i + 1] && offset + width > hidden[i]) {
                throw refuse(width, offset, write, "inside the MSI-X table or PBA, which only the host programs");
            }
        }
        return device.live();
    }

    final HwException refuse(int width, long offset, boolean write, String why) {
        String msg = String.format("%s: %d-byte %s at %s 0x%x refused: %s", device.name(), width, write ? "write" : "read", what, offset, why);
        device.warn(msg);
        return new HwException(HwException.EFAULT, msg);
    }

    static long allOnes(int width) {
        return width == 8 ? -1L : (1L << (width * 8)) - 1;
    }
}

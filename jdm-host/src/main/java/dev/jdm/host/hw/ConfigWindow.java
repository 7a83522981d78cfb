package dev.jdm.host.hw;

import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.PciConfig;
import dev.jdm.hw.emu.EmulatedDevice;

/** A bound device's config space as its driver sees it: everything but the MSI-X control, which the host owns. */
final class ConfigWindow extends Window implements PciConfig {
    private static final int SIZE = 4096;
    private final EmulatedDevice target;
    private final int msixControl;

    /** @param msixControl the offset of the MSI-X message control, or -1 */
    ConfigWindow(BoundDevice device, EmulatedDevice target, int msixControl) {
        super(device, "config offset", SIZE);
        this.target = target;
        this.msixControl = msixControl;
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public int read(int offset, int size) {
        checkWidth(offset, size, false);
        return admit(offset, size, false) ? target.configRead(offset, size) : (int) allOnes(size);
    }

    @Override
    public void write(int offset, int size, int value) {
        checkWidth(offset, size, true);
        if (target.configReadOnly()) {
            String msg = device().name() + ": config write at 0x" + Integer.toHexString(offset) + " refused: a real device's config space is granted read-only";
            device().warn(msg);
            throw new HwException(HwException.EPERM, msg);
        }
        if (!admit(offset, size, true)) {
            return;
        }
        if (msixControl >= 0 && offset < msixControl + 2 && offset + size > msixControl) {
            device().warn(device().name() + ": write to the MSI-X control at config 0x" + Integer.toHexString(offset) + " dropped: the host enables MSI-X when a vector is requested");
            return;
        }
        target.configWrite(offset, size, value);
    }

    private void checkWidth(int offset, int size, boolean write) {
        if (size != 1 && size != 2 && size != 4) {
            throw refuse(size, offset, write, "config space is read and written 1, 2 or 4 bytes at a time");
        }
    }

    @Override
    public int findCapability(int id, int from) {
        if (id < 0 || id > 0xff) {
            throw new HwException(HwException.EINVAL, device().name() + ": capability id " + id + " is not a byte");
        }
        return device().live() ? Capabilities.find(this::read, id, from) : 0;
    }
}

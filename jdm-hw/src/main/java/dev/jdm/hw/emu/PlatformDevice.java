package dev.jdm.hw.emu;

import java.util.List;

/**
 * A device put on the platform bus, as the PC's legacy UART at 0x3f8 is: not enumerated, found by
 * name. It wraps a device model written as a PCI function and keeps that function's decoding on
 * (a platform device answers at its addresses from power-on), so the driver sees only its
 * resources and its interrupt line.
 */
public final class PlatformDevice implements EmulatedDevice {
    private final EmulatedDevice inner;
    private final String name;

    /** @param name the platform name drivers bind by, e.g. {@code serial8250} */
    public PlatformDevice(EmulatedDevice inner, String name) {
        if (!name.matches("[a-z0-9][a-z0-9_-]{0,31}")) {
            throw new IllegalArgumentException("platform device name " + name + " is not 1-32 of [a-z0-9_-]");
        }
        this.inner = inner;
        this.name = name;
    }

    @Override
    public String platformName() {
        return name;
    }

    @Override
    public PciIdentity identity() {
        return inner.identity();
    }

    @Override
    public List<BarSpec> bars() {
        return inner.bars();
    }

    @Override
    public int configRead(int offset, int size) {
        return inner.configRead(offset, size);
    }

    @Override
    public void configWrite(int offset, int size, int value) {
        inner.configWrite(offset, size, value);
    }

    @Override
    public long barRead(int bar, long offset, int size) {
        return inner.barRead(bar, offset, size);
    }

    @Override
    public void barWrite(int bar, long offset, int size, long value) {
        inner.barWrite(bar, offset, size, value);
    }

    @Override
    public void plug(BoardPort port) {
        inner.plug(port);
        int command = inner.configRead(PciConfigSpace.COMMAND, 2);
        inner.configWrite(PciConfigSpace.COMMAND, 2, command | PciConfigSpace.COMMAND_IO | PciConfigSpace.COMMAND_MEMORY | PciConfigSpace.COMMAND_BUS_MASTER);
    }

    @Override
    public void unplug() {
        inner.unplug();
    }

    @Override
    public Faults faults() {
        return inner.faults();
    }
}

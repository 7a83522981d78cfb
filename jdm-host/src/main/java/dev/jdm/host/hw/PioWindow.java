package dev.jdm.host.hw;

import dev.jdm.abi.hw.Pio;
import dev.jdm.hw.emu.EmulatedDevice;

/** An I/O BAR granted to a driver: port accesses, checked as MMIO ones are. */
final class PioWindow extends Window implements Pio {
    private final EmulatedDevice target;
    private final int bar;

    PioWindow(BoundDevice device, EmulatedDevice target, int bar, int size) {
        super(device, "I/O BAR" + bar + " port", size);
        this.target = target;
        this.bar = bar;
    }

    @Override
    public int size() {
        return (int) windowSize();
    }

    private int in(int port, int width) {
        return (int) (admit(port, width, false) ? target.barRead(bar, port, width) : allOnes(width));
    }

    private void out(int port, int width, long value) {
        if (admit(port, width, true)) {
            target.barWrite(bar, port, width, value);
        }
    }

    @Override
    public int in8(int port) {
        return in(port, 1);
    }

    @Override
    public int in16(int port) {
        return in(port, 2);
    }

    @Override
    public int in32(int port) {
        return in(port, 4);
    }

    @Override
    public void out8(int port, int value) {
        out(port, 1, value & 0xff);
    }

    @Override
    public void out16(int port, int value) {
        out(port, 2, value & 0xffff);
    }

    @Override
    public void out32(int port, int value) {
        out(port, 4, value & 0xffffffffL);
    }
}

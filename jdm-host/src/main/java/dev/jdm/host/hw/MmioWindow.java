package dev.jdm.host.hw;

import dev.jdm.abi.hw.Mmio;
import dev.jdm.hw.emu.EmulatedDevice;
import java.lang.invoke.VarHandle;

/** A memory BAR granted to a driver; every access is checked, then routed to the device. */
final class MmioWindow extends Window implements Mmio {
    private final EmulatedDevice target;
    private final int bar;

    MmioWindow(BoundDevice device, EmulatedDevice target, int bar, long size, long... hidden) {
        super(device, "BAR" + bar, size, hidden);
        this.target = target;
        this.bar = bar;
    }

    @Override
    public long size() {
        return windowSize();
    }

    private long read(long offset, int width) {
        return admit(offset, width, false) ? target.barRead(bar, offset, width) : allOnes(width);
    }

    private void write(long offset, int width, long value) {
        if (admit(offset, width, true)) {
            target.barWrite(bar, offset, width, value);
        }
    }

    @Override
    public int read8(long offset) {
        return (int) read(offset, 1);
    }

    @Override
    public int read16(long offset) {
        return (int) read(offset, 2);
    }

    @Override
    public int read32(long offset) {
        return (int) read(offset, 4);
    }

    @Override
    public long read64(long offset) {
        return read(offset, 8);
    }

    @Override
    public void write8(long offset, int value) {
        write(offset, 1, value & 0xff);
    }

    @Override
    public void write16(long offset, int value) {
        write(offset, 2, value & 0xffff);
    }

    @Override
    public void write32(long offset, int value) {
        write(offset, 4, value & 0xffffffffL);
    }

    @Override
    public void write64(long offset, long value) {
        write(offset, 8, value);
    }

    @Override
    public void mb() {
        VarHandle.fullFence();
    }

    @Override
    public void rmb() {
        VarHandle.acquireFence();
    }

    @Override
    public void wmb() {
        VarHandle.releaseFence();
    }
}

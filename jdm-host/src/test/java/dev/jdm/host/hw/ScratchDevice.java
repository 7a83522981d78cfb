package dev.jdm.host.hw;

import dev.jdm.hw.emu.BarSpec;
import dev.jdm.hw.emu.BoardPort;
import dev.jdm.hw.emu.DmaFault;
import dev.jdm.hw.emu.EmulatedDevice;
import dev.jdm.hw.emu.Faults;
import dev.jdm.hw.emu.PciConfigSpace;
import dev.jdm.hw.emu.PciIdentity;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A device for the board's own tests: a 4 KiB memory BAR0 with a scratch register and a DMA copy
 * engine (source, destination, length, doorbell; completion raises MSI-X vector 0 or INTx, cleared
 * by reading STATUS), an MSI-X table of two vectors at 0x800 with its PBA at 0xc00, and an 8-port
 * I/O BAR2 whose ports read back what was written.
 */
final class ScratchDevice implements EmulatedDevice {
    static final int SCRATCH = 0x0, SRC = 0x10, DST = 0x18, LEN = 0x20, DOORBELL = 0x28, STATUS = 0x30, TABLE = 0x800, PBA = 0xc00;
    static final int STATUS_DONE = 1, STATUS_FAULT = 2;
    private static final PciIdentity ID = new PciIdentity(0xabcd, 0x0001, 0xabcd, 0x0100, 0xff0000, 1);

    private final PciConfigSpace config;
    private final int msixCap;
    private final long[] regs = new long[0x40 / 8];
    private final int[] table = new int[2 * 4];
    private final byte[] ports = new byte[8];
    private final Faults faults = new Faults();
    final AtomicInteger accesses = new AtomicInteger();
    private volatile BoardPort port;
    volatile String lastFault;

    ScratchDevice() {
        config = new PciConfigSpace(ID, List.of(new BarSpec(0, BarSpec.Kind.MEMORY64, 4096), new BarSpec(2, BarSpec.Kind.IO, 8)), 1);
        // MSI-X: control (size 2-1, enable and function mask writable), table BIR0 at TABLE, PBA BIR0 at PBA
        byte[] body = {1, 0, (byte) TABLE, (byte) (TABLE >> 8), 0, 0, (byte) PBA, (byte) (PBA >> 8), 0, 0};
        byte[] writable = {0, (byte) 0xc0, 0, 0, 0, 0, 0, 0, 0, 0};
        msixCap = config.addCapability(0x11, body, writable);
        for (int v = 0; v < 2; v++) {
            table[v * 4 + 3] = 1; // entries start masked, as the spec says
        }
    }

    @Override
    public PciIdentity identity() {
        return ID;
    }

    @Override
    public List<BarSpec> bars() {
        return List.of(new BarSpec(0, BarSpec.Kind.MEMORY64, 4096), new BarSpec(2, BarSpec.Kind.IO, 8));
    }

    @Override
    public int configRead(int offset, int size) {
        return config.read(offset, size);
    }

    @Override
    public void configWrite(int offset, int size, int value) {
        config.write(offset, size, value);
    }

    @Override
    public synchronized long barRead(int bar, long offset, int size) {
        accesses.incrementAndGet();
        if (bar == 2) {
            long v = 0;
            for (int i = size - 1; i >= 0; i--) {
                v = v << 8 | (ports[(int) offset + i] & 0xff);
            }
            return v;
        }
        if (offset >= TABLE && offset < TABLE + 32) {
            return table[(int) (offset - TABLE) / 4] & 0xffffffffL;
        }
        if (offset == STATUS) {
            long s = regs[STATUS / 8];
            regs[STATUS / 8] = 0;
            port.intx(false);
            return s;
        }
        return offset < 0x40 ? regs[(int) offset / 8] : 0;
    }

    @Override
    public synchronized void barWrite(int bar, long offset, int size, long value) {
        accesses.incrementAndGet();
        if (bar == 2) {
            for (int i = 0; i < size; i++) {
                ports[(int) offset + i] = (byte) (value >>> (8 * i));
            }
            return;
        }
        if (offset >= TABLE && offset < TABLE + 32) {
            table[(int) (offset - TABLE) / 4] = (int) value;
        } else if (offset == DOORBELL) {
            copy();
        } else if (offset < 0x40) {
            regs[(int) offset / 8] = value;
        }
    }

    private void copy() {
        long len = regs[LEN / 8];
        try {
            MemorySegment src = port.dma(regs[SRC / 8], len);
            MemorySegment dst = port.dma(regs[DST / 8], len);
            dst.copyFrom(src);
            regs[STATUS / 8] = STATUS_DONE;
        } catch (DmaFault f) {
            lastFault = f.getMessage();
            regs[STATUS / 8] = STATUS_FAULT;
        }
        interrupt();
    }

    /** Raises the completion interrupt the way the config space says: MSI-X vector 0, or INTx. */
    void interrupt() {
        boolean msix = (config.read(msixCap + 2, 2) & 0x8000) != 0;
        if (msix) {
            if ((table[3] & 1) == 0 && (config.read(msixCap + 2, 2) & 0x4000) == 0) {
                port.msix(0);
            }
        } else if ((config.command() & PciConfigSpace.COMMAND_INTX_DISABLE) == 0) {
            port.intx(true);
        }
    }

    /** Completes a request with nothing to copy and raises its interrupt. */
    synchronized void complete() {
        regs[STATUS / 8] = STATUS_DONE;
        interrupt();
    }

    /** Asserts INTx with nothing to clear it: a stuck line. */
    void assertStuck() {
        port.intx(true);
    }

    @Override
    public void plug(BoardPort p) {
        this.port = p;
    }

    @Override
    public void unplug() {}

    @Override
    public Faults faults() {
        return faults;
    }
}

package dev.jdm.hw.emu.uart;

import dev.jdm.hw.emu.BarSpec;
import dev.jdm.hw.emu.BoardPort;
import dev.jdm.hw.emu.EmulatedDevice;
import dev.jdm.hw.emu.Faults;
import dev.jdm.hw.emu.PciConfigSpace;
import dev.jdm.hw.emu.PciIdentity;
import java.util.List;
import java.util.Objects;

/**
 * A 16550A UART on QEMU's single-port PCI serial function ({@code pci-serial}, {@code 1b36:0002}):
 * the eight UART registers at BAR 0, an I/O BAR, interrupts on INTA#, and a {@link SerialLine} as
 * the far side. Registers are 8 bits wide: a wider access reads all ones and its write is dropped,
 * as are accesses outside the eight ports or while config space has I/O decoding off. OUT2 (MCR
 * bit 3) gates INTA# as on a PC's serial port, and the command register's INTx disable masks it.
 *
 * <p>The board's {@link BoardPort#intx} is called with the device's lock held; it must not wait
 * for another thread's access to this device.
 */
public final class Uart16550Device implements EmulatedDevice {
    /** QEMU's pci-serial IDs: class 07 00 02 (serial controller, 16550-compatible), revision 1. */
    public static final PciIdentity IDENTITY = new PciIdentity(0x1b36, 0x0002, 0x1af4, 0x1100, 0x07_00_02, 1);
    /** BAR 0: the eight UART ports. */
    public static final List<BarSpec> BARS = List.of(new BarSpec(0, BarSpec.Kind.IO, 8));
    private static final int INTA = 1;

    /** Whether characters take their time on the wire. */
    public enum Pacing {
        /** 10 bits per character at 115200 / divisor baud, as the divisor latch sets it. */
        BAUD_RATE,
        /** As fast as the driver writes and the line delivers (the character timeout still counts baud-rate characters). */
        NONE
    }

    private final Object lock = new Object();
    private final PciConfigSpace config = new PciConfigSpace(IDENTITY, BARS, INTA);
    private final IntxLine intx = new IntxLine();
    private final SerialLine line;
    private final Faults faults;
    private final Uart16550 chip;
    private BoardPort port; // guarded by lock
    private LineWorker worker; // guarded by lock

    /** A UART on {@code line}, paced by its baud rate, with faults of its own. */
    public Uart16550Device(SerialLine line) {
        this(line, Pacing.BAUD_RATE, new Faults());
    }

    /** A UART on {@code line}; {@code faults} may be shared with the operator's switches. */
    public Uart16550Device(SerialLine line, Pacing pacing, Faults faults) {
        this.line = Objects.requireNonNull(line, "line");
        this.faults = Objects.requireNonNull(faults, "faults");
        this.chip = new Uart16550(faults, pacing == Pacing.BAUD_RATE, System::nanoTime);
    }

    @Override
    public PciIdentity identity() {
        return IDENTITY;
    }

    @Override
    public List<BarSpec> bars() {
        return BARS;
    }

    @Override
    public int configRead(int offset, int size) {
        synchronized (lock) {
            return config.read(offset, size);
        }
    }

    @Override
    public void configWrite(int offset, int size, int value) {
        synchronized (lock) {
            config.write(offset, size, value);
            updateInterrupt(); // INTx disable may have changed
        }
    }

    @Override
    public long barRead(int bar, long offset, int size) {
        synchronized (lock) {
            if (!decodes(bar, offset, size)) {
                return allOnes(size);
            }
            int v = chip.read((int) offset);
            afterAccess();
            return v;
        }
    }

    @Override
    public void barWrite(int bar, long offset, int size, long value) {
        synchronized (lock) {
            if (decodes(bar, offset, size)) {
                chip.write((int) offset, (int) value);
                afterAccess();
            }
        }
    }

    /** Starts the line worker; a device is plugged into one board at a time. */
    @Override
    public void plug(BoardPort port) {
        Objects.requireNonNull(port, "port");
        synchronized (lock) {
            if (this.port != null) {
                throw new IllegalStateException("this UART is already plugged; unplug it before plugging it again");
            }
            this.port = port;
            intx.reset();
            updateInterrupt();
            worker = new LineWorker(lock, chip, line, this::updateInterrupt, "uart16550-" + Integer.toHexString(System.identityHashCode(this)));
            worker.start();
        }
    }

    /** Stops and joins the line worker; the line stays open, since its maker owns it. */
    @Override
    public void unplug() {
        LineWorker w;
        synchronized (lock) {
            w = worker;
            worker = null;
            port = null; // from here on nothing reaches the board
        }
        if (w != null) {
            w.stop();
        }
    }

    @Override
    public Faults faults() {
        return faults;
    }

    /** The line worker's thread while plugged, else null (for tests of unplug). */
    Thread workerThread() {
        synchronized (lock) {
            return worker == null ? null : worker.thread();
        }
    }

    private boolean decodes(int bar, long offset, int size) {
        return bar == 0 && size == 1 && offset >= 0 && offset < 8 && (config.command() & PciConfigSpace.COMMAND_IO) != 0;
    }

    private void afterAccess() {
        updateInterrupt();
        if (worker != null) {
            worker.poke();
        }
    }

    /** The card's interrupt: the chip's INTR through OUT2; the status bit shows it, INTx disable masks the pin. */
    private void updateInterrupt() {
        boolean cause = chip.interruptPending() && chip.out2();
        config.interruptStatus(cause);
        if (port != null) {
            intx.drive(cause && (config.command() & PciConfigSpace.COMMAND_INTX_DISABLE) == 0, port, faults);
        }
    }

    private static long allOnes(int size) {
        return size >= 1 && size < 8 ? (1L << (8 * size)) - 1 : -1L;
    }
}

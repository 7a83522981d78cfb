package dev.jdm.drivers.uart;

import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.chr.CharDevice;
import dev.jdm.abi.chr.CharException;
import dev.jdm.abi.chr.CharFile;
import dev.jdm.abi.chr.CharOpen;
import dev.jdm.abi.chr.CharStatus;
import dev.jdm.abi.hw.HwBinding;
import dev.jdm.abi.hw.HwDevice;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.Irq;
import dev.jdm.abi.hw.IrqResult;
import dev.jdm.abi.hw.Pio;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One bound 16550A and its tty node, after the PC16550D data sheet. The interrupt handler drains
 * the receive FIFO into a ring and refills the transmit FIFO from another, so a reader or writer
 * of the node never touches the chip. Interrupt causes are taken from IIR until it says none is
 * pending, in the chip's priority order. The host also polls the handler every 20 ms, so a lost
 * interrupt edge delays bytes instead of stalling the line.
 */
final class UartPort implements HwBinding, Serial {
    // registers (offsets in the I/O BAR); DLL/DLM overlay RBR/THR and IER while LCR.DLAB is set
    static final int RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;
    static final int IER_RDA = 1, IER_THRE = 2, IER_RLS = 4, IER_MSI = 8;
    static final int IIR_NONE = 1, IIR_ID = 0x0e, IIR_RLS = 0x06, IIR_RDA = 0x04, IIR_TIMEOUT = 0x0c, IIR_THRE = 0x02, IIR_MSR = 0x00;
    static final int LSR_DR = 1, LSR_OE = 2, LSR_FE = 8, LSR_THRE = 0x20, LSR_FIFO_ERROR = 0x80;
    static final int LCR_DLAB = 0x80, LCR_8N1 = 0x03;
    static final int FCR_ENABLE = 1, FCR_CLEAR_RX = 2, FCR_CLEAR_TX = 4, FCR_TRIGGER_8 = 0x80;
    static final int MCR_DTR = 1, MCR_RTS = 2, MCR_OUT2 = 8;
    private static final int FIFO = 16, TRIGGER = 8, RING = 4096, POLL_MS = 20, MAX_CAUSES = 64;
    private static final long BASE_BAUD = 115200;

    private final ModuleContext ctx;
    private final HwDevice dev;
    private final Pio pio;
    private final Runnable onRemoved;
    private final Irq irq;
    private final CharDevice node;
    private final byte[] rx = new byte[RING];
    private final byte[] tx = new byte[RING];
    private int rxHead, rxCount, txHead, txCount;
    private long baud;
    private long received, transmitted, overruns, framingErrors, dropped;
    private int ier;
    private volatile boolean gone;

    UartPort(ModuleContext ctx, HwDevice dev, int index, long baud, Runnable onRemoved) {
        this.ctx = ctx;
        this.dev = dev;
        this.onRemoved = onRemoved;
        if (dev.bus().equals("pci")) {
            dev.config().write(4, 2, dev.config().read(4, 2) | 0x1); // I/O space decode; a platform device decodes from power-on
        }
        this.pio = dev.pio(0);
        identify();
        this.baud = baud;
        synchronized (this) {
            program(divisor(baud));
        }
        this.irq = dev.irq(Irq.INTX, v -> interrupt());
        try {
            irq.poll(POLL_MS);
            synchronized (this) {
                ier = IER_RDA | IER_RLS;
                pio.out8(IER, ier);
            }
            this.node = ctx.chr().device("serial" + index).number(4, 64 + index).mode(0660).calls(Serial.class, this).register(this::open);
        } catch (RuntimeException e) {
            pio.out8(IER, 0);
            irq.free();
            throw e;
        }
        ctx.log().info(dev.name() + ": serial" + index + ", 16550A, " + baud + " baud");
    }

    /** The divisor for {@code baud}, or EINVAL if 115200 is not a whole multiple of it. */
    static int divisor(long baud) {
        if (baud < 2 || baud > BASE_BAUD || BASE_BAUD % baud != 0) {
            throw new HwException(HwException.EINVAL, "baud=" + baud + " is not 115200 divided by a whole number from 1 to 57600");
        }
        return (int) (BASE_BAUD / baud);
    }

    /**
     * Checks that a 16550A answers, as Linux's autoconfig does: the scratch register holds what is
     * written to it, and with the FIFOs enabled IIR's top bits read 11.
     */
    private void identify() {
        for (int pattern : new int[] {0x55, 0xaa}) {
            pio.out8(SCR, pattern);
            if (pio.in8(SCR) != pattern) {
                throw new HwException(HwException.ENODEV, dev.name() + ": no UART answers at I/O BAR0 (scratch register reads 0x"
                        + Integer.toHexString(pio.in8(SCR)) + " after 0x" + Integer.toHexString(pattern) + ")");
            }
        }
        pio.out8(FCR, FCR_ENABLE);
        int iir = pio.in8(IIR);
        if ((iir & 0xc0) != 0xc0) {
            throw new HwException(HwException.ENODEV, dev.name() + ": not a 16550A (IIR 0x" + Integer.toHexString(iir) + " with FIFOs enabled)");
        }
    }

    /** 8N1 at the divisor, FIFOs on and cleared with an 8-byte receive trigger, DTR, RTS and OUT2 (the PC's interrupt gate). Under the lock. */
    private void program(int divisor) {
        pio.out8(LCR, LCR_DLAB);
        pio.out8(DLL, divisor & 0xff);
        pio.out8(DLM, divisor >>> 8);
        pio.out8(LCR, LCR_8N1);
        pio.out8(FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX | FCR_TRIGGER_8);
        pio.out8(MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
    }

    /** Serves every pending cause, highest priority first, until IIR says none is left. */
    private IrqResult interrupt() {
        boolean any = false;
        synchronized (this) {
            for (int i = 0; i < MAX_CAUSES && !gone; i++) {
                int iir = pio.in8(IIR);
                if (iir == 0xff || (iir & IIR_NONE) != 0) {
                    break; // none pending (all ones: the device is gone)
                }
                any = true;
                switch (iir & IIR_ID) {
                    case IIR_RLS -> lineStatus(pio.in8(LSR));
                    case IIR_RDA -> {
                        if ((pio.in8(LSR) & LSR_FIFO_ERROR) == 0) {
                            receiveTrigger(); // no byte in the FIFO has an error: the trigger level's worth can be read blind
                        }
                        receive();
                    }
                    case IIR_TIMEOUT -> receive();
                    case IIR_THRE -> transmit();
                    default -> pio.in8(MSR); // modem status: reading clears it
                }
            }
            // a poll, or a lost edge: data may be waiting with no cause raised for it
            receive();
            if (txCount > 0 && (pio.in8(LSR) & LSR_THRE) != 0) {
                transmit();
            }
        }
        if (any || rxCount > 0) {
            node().wake();
        }
        return any ? IrqResult.HANDLED : IrqResult.NONE;
    }

    private CharDevice node() {
        return node;
    }

    private void lineStatus(int lsr) {
        if ((lsr & LSR_OE) != 0) {
            overruns++;
        }
        if ((lsr & LSR_FE) != 0) {
            framingErrors++;
        }
    }

    /**
     * Received-data-available means the FIFO holds at least its trigger level (8 here); when LSR's
     * FIFO-error bit says none of them has a framing error or a break, those bytes are read without
     * asking LSR before each, which halves the accesses where an access is costly (a frame to the
     * host, in an isolated domain). Under the lock.
     */
    private void receiveTrigger() {
        for (int i = 0; i < TRIGGER; i++) {
            int b = pio.in8(RBR);
            if (rxCount == RING) {
                dropped++;
                continue;
            }
            rx[(rxHead + rxCount++) % RING] = (byte) b;
            received++;
        }
    }

    /** Drains the receive FIFO into the ring; what the ring cannot hold is dropped and counted. Under the lock. */
    private void receive() {
        for (int n = 0; n < RING; n++) {
            int lsr = pio.in8(LSR);
            if (lsr == 0xff || (lsr & LSR_DR) == 0) {
                return;
            }
            lineStatus(lsr);
            int b = pio.in8(RBR);
            if ((lsr & LSR_FE) != 0) {
                dropped++; // a byte with a framing error is not data
                continue;
            }
            if (rxCount == RING) {
                dropped++;
                continue;
            }
            rx[(rxHead + rxCount++) % RING] = (byte) b;
            received++;
        }
    }

    /** Puts up to a FIFO's worth of the ring into THR; with nothing left, stops the THRE interrupt. Under the lock. */
    private void transmit() {
        int n = Math.min(FIFO, txCount);
        for (int i = 0; i < n; i++) {
            pio.out8(THR, tx[txHead]);
            txHead = (txHead + 1) % RING;
            txCount--;
            transmitted++;
        }
        int want = txCount > 0 || n > 0 ? ier | IER_THRE : ier & ~IER_THRE;
        if (want != ier) {
            ier = want;
            pio.out8(IER, ier);
        }
    }

    private CharFile open(CharOpen open) {
        if (gone) {
            throw new CharException(CharStatus.ENXIO, dev.name() + " is gone");
        }
        return new CharFile() {
            @Override
            public int read(MemorySegment dst) {
                synchronized (UartPort.this) {
                    if (rxCount == 0) {
                        return gone ? 0 : -CharStatus.EAGAIN;
                    }
                    int n = (int) Math.min(dst.byteSize(), rxCount);
                    for (int i = 0; i < n; i++) {
                        dst.set(ValueLayout.JAVA_BYTE, i, rx[rxHead]);
                        rxHead = (rxHead + 1) % RING;
                    }
                    rxCount -= n;
                    return n;
                }
            }

            @Override
            public int write(MemorySegment src) {
                synchronized (UartPort.this) {
                    if (gone) {
                        return -CharStatus.EIO;
                    }
                    int n = (int) Math.min(src.byteSize(), RING - txCount);
                    if (n == 0) {
                        return src.byteSize() == 0 ? 0 : -CharStatus.EAGAIN;
                    }
                    for (int i = 0; i < n; i++) {
                        tx[(txHead + txCount++) % RING] = src.get(ValueLayout.JAVA_BYTE, i);
                    }
                    if ((pio.in8(LSR) & LSR_THRE) != 0) {
                        transmit(); // the transmitter is idle: start it; THRE interrupts keep it going
                    }
                    return n;
                }
            }

            @Override
            public int poll() {
                synchronized (UartPort.this) {
                    return (rxCount > 0 ? POLLIN : 0) | (txCount < RING && !gone ? POLLOUT : 0) | (gone ? POLLHUP : 0);
                }
            }
        };
    }

    @Override
    public synchronized Status speed(Speed speed) {
        if (gone) {
            throw new CharException(CharStatus.ENXIO, dev.name() + " is gone");
        }
        int d;
        try {
            d = divisor(speed.baud());
        } catch (HwException e) {
            throw new CharException(CharStatus.EINVAL, e.getMessage());
        }
        program(d);
        baud = speed.baud();
        return status();
    }

    @Override
    public synchronized Status status() {
        return new Status((int) baud, dev.name(), received, transmitted, overruns, framingErrors, dropped, irq.delivered(), irq.spurious(),
                !gone && dev.present());
    }

    /** Quiets the chip (if it is still there), removes the node; readers see end of file. */
    @Override
    public void remove() {
        synchronized (this) {
            gone = true;
            if (dev.present()) {
                pio.out8(IER, 0);
                pio.out8(MCR, 0);
            }
        }
        irq.free();
        node.wake();
        node.remove();
        onRemoved.run();
        ctx.log().info(dev.name() + ": " + node.name() + " removed");
    }
}

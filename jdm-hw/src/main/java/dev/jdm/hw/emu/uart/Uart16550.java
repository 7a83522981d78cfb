package dev.jdm.hw.emu.uart;

import static dev.jdm.hw.emu.uart.Uart16550Registers.*;

import dev.jdm.hw.emu.Faults;
import java.nio.ByteBuffer;
import java.util.function.LongSupplier;

/**
 * A PC16550D as its data sheet describes it, minus the pins: the register file, the FIFOs, the
 * interrupt priorities and the modem control loopback. Time comes from {@code clock} (nanoseconds):
 * each access first brings the chip up to that moment, and whoever owns it calls {@link #advance}
 * by {@link #deadline} so that timeouts and finished characters are noticed with no access. Not
 * thread-safe.
 */
final class Uart16550 {
    private final Faults faults;
    private final boolean paced;
    private final LongSupplier clock;
    private final Receiver rx;
    private final Transmitter tx = new Transmitter();
    private int divisor = 12; // 9600 baud: the chip's reset does not set the latch, so a start value is ours to pick
    private int ier, lcr, mcr, scr;
    private boolean fifos;
    private int external; // the modem inputs the far side drives (MSR bits 4–7)
    private int deltas; // MSR bits 0–3
    private boolean threLevel = true;
    private boolean thriPending;

    /** {@code paced}: characters take their time on the wire; if not, they go out as fast as written. */
    Uart16550(Faults faults, boolean paced, LongSupplier clock) {
        this.faults = faults;
        this.paced = paced;
        this.clock = clock;
        this.rx = new Receiver(faults);
        rx.wordLength(5); // LCR is 0 after reset: 5-bit characters
    }

    /** A register read, with its side effects. */
    int read(int reg) {
        long now = clock.getAsLong();
        advance(now);
        boolean dlab = (lcr & LCR_DLAB) != 0;
        int v = switch (reg) {
            case RBR -> dlab ? divisor & 0xff : rx.read(now);
            case IER -> dlab ? divisor >>> 8 : ier;
            case IIR -> {
                int iir = iir();
                if ((iir & 0x0f) == IIR_THRE) {
                    thriPending = false; // reading IIR clears THRE as a source only when it is the one reported
                }
                yield iir;
            }
            case LCR -> lcr;
            case MCR -> mcr;
            case LSR -> {
                int lsr = lsr();
                rx.lsrRead();
                yield lsr;
            }
            case MSR -> {
                int msr = inputs() | deltas;
                deltas = 0;
                yield msr;
            }
            default -> scr;
        };
        observeThre();
        return v;
    }

    /** A register write, with its side effects; LSR and MSR ignore writes (factory test only). */
    void write(int reg, int value) {
        long now = clock.getAsLong();
        advance(now);
        int v = value & 0xff;
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch (reg) {
            case THR -> {
                if (dlab) {
                    divisor = (divisor & 0xff00) | v;
                } else {
                    thriPending = false;
                    threLevel = false;
                    tx.write(v);
                }
            }
            case IER -> {
                if (dlab) {
                    divisor = (v << 8) | (divisor & 0xff);
                } else {
                    int old = ier;
                    ier = v & IER_MASK;
                    // enabling ETBEI with the THR empty interrupts at once, which drivers rely on
                    if ((ier & ~old & IER_ETBEI) != 0 && thre()) {
                        thriPending = true;
                    }
                }
            }
            case FCR -> fcr(v, now);
            case LCR -> {
                lcr = v;
                rx.wordLength(5 + (v & LCR_WORD_LENGTH));
            }
            case MCR -> {
                int before = inputs();
                mcr = v & MCR_MASK;
                changed(before);
            }
            case SCR -> scr = v;
            default -> { }
        }
        advance(now);
    }

    private void fcr(int v, long now) {
        boolean enable = (v & FCR_ENABLE) != 0;
        if (enable != fifos) {
            fifos = enable;
            rx.fifoMode(enable, now);
            tx.fifoMode(enable);
        }
        if (!enable) {
            return; // with FCR bit 0 clear the other FCR bits are not programmed (PC16550D, FCR)
        }
        if ((v & FCR_CLEAR_RX) != 0) {
            rx.clear(now);
        }
        if ((v & FCR_CLEAR_TX) != 0) {
            tx.clear();
        }
        rx.trigger(triggerLevel(v));
    }

    /** Brings the chip up to the clock's present: finished characters, arrivals, timeouts. */
    void advance() {
        advance(clock.getAsLong());
    }

    private void advance(long now) {
        long character = characterNanos(divisor);
        boolean loop = (mcr & MCR_LOOP) != 0;
        if (!faults.stuckBusy()) {
            tx.advance(now, (paced ? character : 0) + faults.delayMicros() * 1000, loop ? rx : null);
        }
        rx.advance(now, paced ? character : 0, character, loop);
        observeThre();
    }

    /** The clock reading by which {@link #advance()} has something to do, or {@link Long#MAX_VALUE}. */
    long deadline() {
        long d = rx.deadline(characterNanos(divisor));
        return faults.stuckBusy() ? d : Math.min(d, tx.deadline());
    }

    /** Nanoseconds from the clock's present to {@code deadline}, which may be {@link Long#MAX_VALUE}. */
    long nanosUntil(long deadline) {
        return deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - clock.getAsLong();
    }

    /** The IIR: the highest-priority pending source in the data sheet's order, and the FIFO bits. */
    int iir() {
        int id;
        if ((ier & IER_ELSI) != 0 && rx.lineError()) {
            id = IIR_RLS;
        } else if ((ier & IER_ERBFI) != 0 && rx.dataAvailable()) {
            id = IIR_RDA;
        } else if ((ier & IER_ERBFI) != 0 && rx.timeoutPending()) {
            id = IIR_CTI;
        } else if ((ier & IER_ETBEI) != 0 && thriPending && thre()) {
            id = IIR_THRE;
        } else if ((ier & IER_EDSSI) != 0 && deltas != 0) {
            id = IIR_MSR;
        } else {
            id = IIR_NO_INTERRUPT;
        }
        return id | (fifos ? IIR_FIFOS_ENABLED : 0);
    }

    /** The chip's INTR output. */
    boolean interruptPending() {
        return (iir() & IIR_NO_INTERRUPT) == 0;
    }

    /** The OUT2 pin, which a PC's serial port uses to gate INTR; loopback forces it inactive. */
    boolean out2() {
        return (mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;
    }

    /** The modem inputs the far side drives (MSR bits 4–7); a change sets the delta bits. */
    void modemInputs(int msrBits) {
        int before = inputs();
        external = msrBits & 0xf0;
        changed(before);
    }

    /** Room for bytes from the line. */
    int lineRoom() {
        return rx.wireRoom();
    }

    /** Bytes the line delivered; they start arriving one character time from now when paced. */
    void fromLine(ByteBuffer src) {
        long now = clock.getAsLong();
        rx.fromLine(src, now, paced ? characterNanos(divisor) : 0);
        advance(now);
    }

    boolean hasOutput() {
        return tx.hasOutput();
    }

    /** Finished characters for the line. */
    int drainOutput(byte[] dst) {
        int n = tx.drain(dst);
        if (n > 0) {
            advance(); // a shift register waiting for outbox room goes on
        }
        return n;
    }

    private int lsr() {
        return rx.lsr() | (thre() ? LSR_THRE : 0) | (temt() ? LSR_TEMT : 0);
    }

    private boolean thre() {
        return tx.holdingEmpty() && !faults.stuckBusy();
    }

    private boolean temt() {
        return tx.idle() && !faults.stuckBusy();
    }

    /** THRE rising is what raises the THR empty interrupt. */
    private void observeThre() {
        boolean t = thre();
        if (t && !threLevel) {
            thriPending = true;
        }
        threLevel = t;
    }

    /** MSR bits 4–7: in loopback DTR, RTS, OUT1 and OUT2 drive DSR, CTS, RI and DCD (PC16550D, MCR bit 4). */
    private int inputs() {
        if ((mcr & MCR_LOOP) == 0) {
            return external;
        }
        return ((mcr & MCR_RTS) != 0 ? MSR_CTS : 0) | ((mcr & MCR_DTR) != 0 ? MSR_DSR : 0)
                | ((mcr & MCR_OUT1) != 0 ? MSR_RI : 0) | ((mcr & MCR_OUT2) != 0 ? MSR_DCD : 0);
    }

    private void changed(int before) {
        int now = inputs();
        int diff = before ^ now;
        deltas |= ((diff & MSR_CTS) != 0 ? MSR_DCTS : 0) | ((diff & MSR_DSR) != 0 ? MSR_DDSR : 0)
                | ((diff & MSR_DCD) != 0 ? MSR_DDCD : 0)
                | ((before & ~now & MSR_RI) != 0 ? MSR_TERI : 0); // trailing edge of RI only
    }
}

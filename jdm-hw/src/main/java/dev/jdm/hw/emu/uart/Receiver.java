package dev.jdm.hw.emu.uart;

import static dev.jdm.hw.emu.uart.Uart16550Registers.FIFO_DEPTH;
import static dev.jdm.hw.emu.uart.Uart16550Registers.LSR_DR;
import static dev.jdm.hw.emu.uart.Uart16550Registers.LSR_FE;
import static dev.jdm.hw.emu.uart.Uart16550Registers.LSR_OE;
import static dev.jdm.hw.emu.uart.Uart16550Registers.LSR_RX_FIFO_ERROR;

import dev.jdm.hw.emu.Faults;
import java.nio.ByteBuffer;

/**
 * The 16550's receive side: the wire from the far side (bytes the line delivered, arriving one
 * character time apart when paced), the receive FIFO or, with FIFOs off, the one-byte RBR, the LSR
 * error latches and the character timeout. Not thread-safe; the chip's owner serialises it.
 */
final class Receiver {
    /** Bytes read from the line but not yet shifted in; the rest waits in the line's own buffer. */
    static final int WIRE_DEPTH = 64;

    private final Faults faults;
    private final ByteFifo fifo = new ByteFifo(FIFO_DEPTH);
    private final ByteFifo wire = new ByteFifo(WIRE_DEPTH);
    private int limit = 1;
    private int trigger = 1;
    private int wordMask = 0x1f;
    private int latched; // OE and FE until LSR is read
    private boolean fifoError; // LSR bit 7
    private boolean timeoutPending;
    private long lastActivity;
    private long wireNext;
    private int lastRead;

    Receiver(Faults faults) {
        this.faults = faults;
    }

    boolean fifoMode() {
        return limit == FIFO_DEPTH;
    }

    /** FCR bit 0 changed: the FIFO is emptied either way (PC16550D, FCR bit 0). */
    void fifoMode(boolean on, long now) {
        limit = on ? FIFO_DEPTH : 1;
        clear(now);
    }

    void trigger(int level) {
        trigger = level;
    }

    /** LCR bits 0–1: a 5- to 8-bit character; the bits above it never arrive. */
    void wordLength(int bits) {
        wordMask = (1 << bits) - 1;
    }

    /** FCR bit 1, or the FIFO mode changing: the FIFO and its timeout go, the line latches stay. */
    void clear(long now) {
        fifo.clear();
        fifoError = false;
        timeoutPending = false;
        lastActivity = now;
    }

    /**
     * A character has been shifted in at {@code now}. Every Nth ({@link Faults#errorEvery()}) arrives
     * with a framing error. A full FIFO drops it and sets OE; with FIFOs off it overwrites the unread
     * RBR and sets OE, as a 16450 does (PC16550D, LSR bit 1).
     */
    void receive(int b, long now) {
        boolean fe = faults.nextRequestFails();
        b &= wordMask;
        lastActivity = now;
        if (fifo.size() == limit) {
            latched |= LSR_OE;
            if (!fifoMode()) {
                fifo.replaceLast(b, fe);
                latchTop();
            }
            return;
        }
        fifo.add(b, fe);
        fifoError |= fe;
        if (fifo.size() == 1) {
            latchTop();
        }
    }

    /** An RBR read: the oldest byte (the last one again if empty, as the chip's latch holds it). */
    int read(long now) {
        if (!fifo.isEmpty()) {
            lastRead = fifo.remove();
            latchTop();
        }
        timeoutPending = false;
        lastActivity = now;
        return lastRead;
    }

    /** DR, OE, FE and, in FIFO mode, bit 7. */
    int lsr() {
        return (fifo.isEmpty() ? 0 : LSR_DR) | latched | (fifoMode() && fifoError ? LSR_RX_FIFO_ERROR : 0);
    }

    /** Reading LSR clears its error latches; bit 7 stays while an errored byte is still queued. */
    void lsrRead() {
        latched = 0;
        fifoError = fifo.anyFlag();
    }

    boolean lineError() {
        return latched != 0;
    }

    /** The received-data-available condition: the trigger level reached, or RBR full without FIFOs. */
    boolean dataAvailable() {
        return fifoMode() ? fifo.size() >= trigger : !fifo.isEmpty();
    }

    boolean timeoutPending() {
        return timeoutPending;
    }

    int wireRoom() {
        return wire.capacity() - wire.size();
    }

    /** Bytes from the line; they arrive {@code arrivalNanos} apart, the first one character time from now. */
    void fromLine(ByteBuffer src, long now, long arrivalNanos) {
        if (wire.isEmpty()) {
            wireNext = now + arrivalNanos;
        }
        while (src.hasRemaining() && wireRoom() > 0) {
            wire.add(src.get(), false);
        }
    }

    /**
     * Shifts in what has arrived by {@code now} (dropped in loopback, where the serial input is
     * disconnected) and starts the character timeout: data in the FIFO and neither a character in nor
     * a read for four character times (PC16550D, "FIFO Interrupt Mode Operation").
     */
    void advance(long now, long arrivalNanos, long characterNanos, boolean loopback) {
        while (!wire.isEmpty() && wireNext <= now) {
            int b = wire.remove();
            if (!loopback) {
                receive(b, wireNext);
            }
            wireNext += arrivalNanos;
        }
        if (timeoutDue() && now - lastActivity >= 4 * characterNanos) {
            timeoutPending = true;
        }
    }

    /** When {@link #advance} next has something to do, or {@link Long#MAX_VALUE}. */
    long deadline(long characterNanos) {
        long d = wire.isEmpty() ? Long.MAX_VALUE : wireNext;
        return timeoutDue() ? Math.min(d, lastActivity + 4 * characterNanos) : d;
    }

    private boolean timeoutDue() {
        return fifoMode() && !fifo.isEmpty() && !timeoutPending;
    }

    /** A byte reached the top of the FIFO: its framing error now shows in LSR (PC16550D, LSR bit 3). */
    private void latchTop() {
        if (fifo.peekFlag()) {
            latched |= LSR_FE;
        }
    }
}

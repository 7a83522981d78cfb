package dev.jdm.hw.emu.uart;

import static dev.jdm.hw.emu.uart.Uart16550Registers.FIFO_DEPTH;

/**
 * The 16550's transmit side: the THR or transmit FIFO, the shift register, which holds each
 * character for one character time, and the outbox of finished characters the worker hands to the
 * line. Not thread-safe; the chip's owner serialises it.
 */
final class Transmitter {
    /** Finished characters the worker has not sent yet; when full, the shift register waits. */
    static final int OUTBOX_DEPTH = 4096;

    private final ByteFifo fifo = new ByteFifo(FIFO_DEPTH);
    private final ByteFifo outbox = new ByteFifo(OUTBOX_DEPTH);
    private int limit = 1;
    private boolean shifting;
    private int tsr;
    private long doneAt;

    /** FCR bit 0 changed: the FIFO is emptied; the character being shifted out goes on. */
    void fifoMode(boolean on) {
        limit = on ? FIFO_DEPTH : 1;
        fifo.clear();
    }

    /** FCR bit 2: empties the FIFO, not the shift register. */
    void clear() {
        fifo.clear();
    }

    /** A THR write; a full FIFO loses the byte, as the chip does. */
    void write(int b) {
        if (fifo.size() < limit) {
            fifo.add(b, false);
        }
    }

    /** LSR THRE: the THR or FIFO is empty. */
    boolean holdingEmpty() {
        return fifo.isEmpty();
    }

    /** LSR TEMT: the FIFO and the shift register are empty. */
    boolean idle() {
        return fifo.isEmpty() && !shifting;
    }

    /**
     * Finishes every character whose time has come by {@code now} and loads the next, back to back.
     * A finished character goes to {@code loopback} when that is set, else to the outbox.
     */
    void advance(long now, long characterNanos, Receiver loopback) {
        long start = now;
        while (true) {
            if (shifting) {
                if (doneAt > now || (loopback == null && outbox.size() == OUTBOX_DEPTH)) {
                    return;
                }
                if (loopback != null) {
                    loopback.receive(tsr, doneAt);
                } else {
                    outbox.add(tsr, false);
                }
                shifting = false;
                start = doneAt;
            }
            if (fifo.isEmpty()) {
                return;
            }
            tsr = fifo.remove();
            shifting = true;
            doneAt = start + characterNanos;
        }
    }

    /** When the character in the shift register finishes, or {@link Long#MAX_VALUE}. */
    long deadline() {
        return shifting ? doneAt : Long.MAX_VALUE;
    }

    boolean hasOutput() {
        return !outbox.isEmpty();
    }

    /** Moves finished characters into {@code dst}; returns how many. */
    int drain(byte[] dst) {
        int n = 0;
        while (n < dst.length && !outbox.isEmpty()) {
            dst[n++] = (byte) outbox.remove();
        }
        return n;
    }
}

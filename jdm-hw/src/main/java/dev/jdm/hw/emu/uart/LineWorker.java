package dev.jdm.hw.emu.uart;

import static dev.jdm.hw.emu.uart.Uart16550Registers.MSR_CTS;
import static dev.jdm.hw.emu.uart.Uart16550Registers.MSR_DCD;
import static dev.jdm.hw.emu.uart.Uart16550Registers.MSR_DSR;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread per plugged UART that moves bytes between its {@link SerialLine} and its FIFOs,
 * and advances the chip at its deadlines so that a finished character or a character timeout
 * raises its interrupt with no register access. Chip state is touched only under the device's lock.
 */
final class LineWorker {
    private static final System.Logger LOG = System.getLogger(LineWorker.class.getName());
    /** The longest sleep with nothing due, so that a change no one announced is seen in time. */
    private static final long IDLE_NANOS = 1_000_000_000L;

    private final Object lock;
    private final Uart16550 chip;
    private final SerialLine line;
    private final Runnable afterStep;
    private final Thread thread;
    private boolean stopping; // guarded by lock
    private long sleepsUntil = Long.MIN_VALUE; // guarded by lock: the chip deadline the worker waits for

    /** {@code afterStep} runs under {@code lock} after each change the worker makes to the chip. */
    LineWorker(Object lock, Uart16550 chip, SerialLine line, Runnable afterStep, String name) {
        this.lock = lock;
        this.chip = chip;
        this.line = line;
        this.afterStep = afterStep;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Under the lock, after a register access: wakes the worker if the chip needs it sooner. */
    void poke() {
        if (chip.hasOutput() || chip.deadline() < sleepsUntil) {
            wake();
        }
    }

    /** Stops the thread and waits for it, even if the caller is interrupted meanwhile. */
    void stop() {
        synchronized (lock) {
            stopping = true;
        }
        wake();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    Thread thread() {
        return thread;
    }

    private void wake() {
        LockSupport.unpark(thread);
        line.wakeup();
    }

    private void run() {
        byte[] out = new byte[512];
        ByteBuffer in = ByteBuffer.allocate(Receiver.WIRE_DEPTH);
        boolean lineUp = true;
        while (true) {
            int sent;
            int room;
            long wait;
            synchronized (lock) {
                if (stopping) {
                    return;
                }
                chip.modemInputs(lineUp && line.connected() ? MSR_CTS | MSR_DSR | MSR_DCD : 0);
                chip.advance();
                sent = chip.drainOutput(out);
                room = chip.lineRoom();
                long deadline = chip.deadline();
                sleepsUntil = sent > 0 ? Long.MIN_VALUE : deadline;
                wait = sent > 0 ? 0 : Math.min(IDLE_NANOS, Math.max(0, chip.nanosUntil(deadline)));
                afterStep.run();
            }
            try {
                if (sent > 0) {
                    if (lineUp) {
                        line.send(out, 0, sent);
                    }
                } else if (!lineUp || room == 0) {
                    LockSupport.parkNanos(wait);
                } else {
                    in.clear().limit(room);
                    if (line.receive(in, wait) > 0) {
                        in.flip();
                        synchronized (lock) {
                            chip.fromLine(in);
                            afterStep.run();
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the UART itself goes on, as one whose cable was pulled
                LOG.log(System.Logger.Level.WARNING, thread.getName() + ": serial line failed, nothing is attached from now on: " + e, e);
                lineUp = false;
            }
        }
    }
}

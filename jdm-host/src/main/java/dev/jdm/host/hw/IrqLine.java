package dev.jdm.host.hw;

import dev.jdm.abi.hw.Irq;
import dev.jdm.abi.hw.IrqHandler;
import dev.jdm.abi.hw.IrqResult;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One requested interrupt vector and the thread its handler runs on (a threaded interrupt, as
 * Linux's {@code request_threaded_irq}). Raises while the handler runs coalesce into one more
 * delivery after it. A level-triggered line (INTx) is re-delivered for as long as the device holds
 * it asserted; one that keeps being answered NONE is masked, as Linux disables an interrupt
 * "nobody cared" about, instead of spinning.
 */
final class IrqLine implements Irq {
    /** Unanswered deliveries in a row of a still-asserted level line before it is masked. */
    static final int NOBODY_CARED = 1000;

    private final int vector;
    private final IrqHandler handler;
    private final BooleanSupplier levelAsserted;
    private final Consumer<String> warn;
    private final Runnable onFree;
    private final Thread thread;
    private boolean pending;
    private boolean masked;
    private boolean freed;
    private long pollNanos;
    private int unansweredInARow;
    private long delivered;
    private long spurious;
    /** When the pending raise was raised; the delay to its handler's start is sampled into {@link #latencies}. */
    private long raisedAt;
    private final long[] latencies = new long[4096];
    private long samples;

    /**
     * @param levelAsserted for a level-triggered line, whether the device still asserts it; null for
     *     a message-signalled vector
     */
    IrqLine(String device, int vector, IrqHandler handler, BooleanSupplier levelAsserted, Consumer<String> warn, Runnable onFree) {
        this.vector = vector;
        this.handler = handler;
        this.levelAsserted = levelAsserted;
        this.warn = warn;
        this.onFree = onFree;
        this.thread = Thread.ofPlatform().daemon().name("irq/" + (vector == INTX ? "intx" : vector) + "-" + device).start(this::run);
    }

    /** The device raised the interrupt. */
    void raise() {
        synchronized (this) {
            if (!pending) {
                raisedAt = System.nanoTime();
            }
            pending = true;
            notifyAll();
        }
    }

    /** The last (up to 4096) delays from a raise to its handler's start, in nanoseconds. */
    synchronized long[] latencies() {
        return java.util.Arrays.copyOf(latencies, (int) Math.min(samples, latencies.length));
    }

    private void run() {
        while (true) {
            boolean polled = false;
            synchronized (this) {
                long pollDue = pollNanos > 0 ? System.nanoTime() + pollNanos : 0;
                while (!freed && (!pending || masked)) {
                    try {
                        long left = pollDue - System.nanoTime();
                        if (pollNanos > 0 && !masked && left <= 0) {
                            polled = true;
                            break;
                        }
                        if (pollNanos > 0 && !masked) {
                            wait(Math.max(1, left / 1_000_000));
                        } else {
                            wait();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (freed) {
                    return;
                }
                if (!polled) {
                    latencies[(int) (samples++ % latencies.length)] = System.nanoTime() - raisedAt;
                }
                pending = false;
            }
            IrqResult result = deliver();
            if (polled) {
                continue;
            }
            synchronized (this) {
                if (result == IrqResult.HANDLED) {
                    delivered++;
                    unansweredInARow = 0;
                } else {
                    spurious++;
                    unansweredInARow++;
                }
                if (levelAsserted != null && levelAsserted.getAsBoolean()) {
                    if (unansweredInARow >= NOBODY_CARED) {
                        masked = true;
                        warn.accept("interrupt " + describe() + ": nobody cared (" + NOBODY_CARED + " deliveries in a row answered NONE); masked");
                    } else {
                        pending = true;
                    }
                }
            }
        }
    }

    private IrqResult deliver() {
        try {
            IrqResult r = handler.handle(vector);
            return r == null ? IrqResult.NONE : r;
        } catch (RuntimeException | Error e) {
            warn.accept("interrupt handler of " + describe() + " threw " + e);
            return IrqResult.NONE;
        }
    }

    private String describe() {
        return vector == INTX ? "INTx" : "vector " + vector;
    }

    @Override
    public int vector() {
        return vector;
    }

    @Override
    public synchronized void mask() {
        masked = true;
    }

    @Override
    public synchronized void unmask() {
        masked = false;
        unansweredInARow = 0;
        if (levelAsserted != null && levelAsserted.getAsBoolean()) {
            pending = true;
        }
        notifyAll();
    }

    @Override
    public synchronized void poll(long periodMillis) {
        if (periodMillis < 0) {
            throw new dev.jdm.abi.hw.HwException(dev.jdm.abi.hw.HwException.EINVAL, "poll period " + periodMillis + " ms");
        }
        pollNanos = periodMillis * 1_000_000;
        notifyAll();
    }

    @Override
    public synchronized long delivered() {
        return delivered;
    }

    @Override
    public synchronized long spurious() {
        return spurious;
    }

    @Override
    public void free() {
        synchronized (this) {
            if (freed) {
                return;
            }
            freed = true;
            notifyAll();
        }
        onFree.run();
        if (Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package dev.jdm.host.export.nbd;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Closes a session that has had nothing in flight and sent no request for the idle timeout, so
 * that abandoned sessions give their slots back. Checked at a quarter of the timeout, so a session
 * goes within 1.25 times it. A timeout of 0 never closes.
 */
final class IdleWatch {
    private final ScheduledExecutorService timer;
    private final long idleMillis;
    private final Runnable close;
    private volatile long lastNanos = System.nanoTime();
    private ScheduledFuture<?> check;

    IdleWatch(ScheduledExecutorService timer, long idleMillis, Runnable close) {
        this.timer = timer;
        this.idleMillis = idleMillis;
        this.close = close;
    }

    /** A watch that never closes. */
    static IdleWatch never() {
        return new IdleWatch(null, 0, () -> {});
    }

    /** Starts watching; {@code quiet} says whether nothing is in flight. */
    synchronized void watch(BooleanSupplier quiet) {
        if (idleMillis <= 0) {
            return;
        }
        long period = Math.max(1, idleMillis / 4);
        check = timer.scheduleAtFixedRate(() -> {
            if (quiet.getAsBoolean() && System.nanoTime() - lastNanos > TimeUnit.MILLISECONDS.toNanos(idleMillis)) {
                stop();
                close.run();
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    /** A request arrived. */
    void touch() {
        lastNanos = System.nanoTime();
    }

    /** Stops watching. */
    synchronized void stop() {
        if (check != null) {
            check.cancel(false);
        }
    }
}

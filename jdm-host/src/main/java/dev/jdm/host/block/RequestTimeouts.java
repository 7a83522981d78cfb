package dev.jdm.host.block;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The per-request timeout of one queue, as Linux's {@code /sys/block/<dev>/queue/io_timeout}: a
 * request the driver has held longer than {@code blk.request_timeout_ms} is completed by the host
 * with ETIMEDOUT, the log names the driver, and the driver's late completion is ignored. Requests
 * are checked every {@link #TICK_MS}, so one fails at most that much after its limit; tracking
 * costs a set insertion and removal per request and no timer per request.
 */
final class RequestTimeouts {
    /** Linux's ETIMEDOUT. {@code BlockStatus} has no such constant; drivers never see this status. */
    static final int ETIMEDOUT = 110;
    /** How often held requests are checked. */
    static final long TICK_MS = 50;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("blk-timeout").factory());

    private final String lu;
    private final String driver;
    private final LongSupplier timeoutMs;
    private final Consumer<String> warn;
    private final Set<HostBlockRequest> held = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> check;

    /** Starts checking the requests of {@code lu}, served by {@code driver}; a timeout of 0 means none. */
    RequestTimeouts(String lu, String driver, LongSupplier timeoutMs, Consumer<String> warn) {
        this.lu = lu;
        this.driver = driver;
        this.timeoutMs = timeoutMs;
        this.warn = warn;
        this.check = TIMER.scheduleWithFixedDelay(this::expireOverdue, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /** The driver now holds {@code r}. */
    void issued(HostBlockRequest r) {
        held.add(r);
    }

    /** The driver gave {@code r} back. */
    void done(HostBlockRequest r) {
        held.remove(r);
    }

    private void expireOverdue() {
        long limit = timeoutMs.getAsLong();
        long now = System.nanoTime();
        for (HostBlockRequest r : held) {
            if (r.isCompleted()) {
                held.remove(r); // merged requests complete through their parts, so they are swept here
            } else if (limit > 0 && now - r.startNanos > TimeUnit.MILLISECONDS.toNanos(limit)) {
                held.remove(r);
                if (r.expire(ETIMEDOUT)) {
                    warn.accept(lu + ": driver " + driver + " did not complete " + r + " within " + limit
                            + " ms (blk.request_timeout_ms); failed it with ETIMEDOUT, a late completion will be ignored");
                }
            }
        }
    }

    /** Stops checking (the LU is gone). */
    void stop() {
        check.cancel(false);
    }
}

package dev.jdm.host.domain;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * MINIX 3's reincarnation budget: a domain is restarted after at most {@code limit} crashes within
 * a sliding window; the crash after that is final (its LUs fail with EIO) until an administrator
 * restarts it by hand, which starts a fresh budget.
 */
final class RestartPolicy {
    private final LongSupplier limit;
    private final LongSupplier windowMs;
    private final ArrayDeque<Long> crashes = new ArrayDeque<>();

    RestartPolicy(LongSupplier limit, LongSupplier windowMs) {
        this.limit = limit;
        this.windowMs = windowMs;
    }

    /** Records a crash at {@code nowNanos}; true if a restart is within the budget. */
    synchronized boolean allow(long nowNanos) {
        long window = TimeUnit.MILLISECONDS.toNanos(windowMs.getAsLong());
        while (!crashes.isEmpty() && nowNanos - crashes.peekFirst() > window) {
            crashes.removeFirst();
        }
        if (crashes.size() >= limit.getAsLong()) {
            return false;
        }
        crashes.addLast(nowNanos);
        return true;
    }

    /** Why the last {@link #allow} said no, for the log. */
    synchronized String refusal() {
        return crashes.size() + " restarts within the last " + windowMs.getAsLong() + " ms already (domain.restart_limit " + limit.getAsLong()
                + " per domain.restart_window_ms)";
    }

    /** A restart by hand: the administrator takes over, the count starts again. */
    synchronized void reset() {
        crashes.clear();
    }
}

package dev.jdm.host.block;

import java.util.ArrayList;
import java.util.List;

/**
 * Holds one thread's submissions back while it has more at hand, and hands them to each driver
 * together when it {@linkplain #finish finishes}, as Linux's blk_start_plug and blk_finish_plug do.
 * The NBD reader plugs while it serves the requests that one read of its socket brought: at queue
 * depth 16 that is often a dozen, which then reach the driver as one batch (a domain's LU: one lock
 * of its ring and one doorbell, not one per request). A plugged thread must finish before anything
 * that may block it, since what it holds may be what it would wait for.
 *
 * <p>Only reads and writes are held (the queue's ordinary dispatch), and only small ones: a request
 * of {@link #MAX_HELD_BYTES} or more goes at once, taking what its queue held with it, since a large
 * one is worth starting early (as Linux flushes a plug at BLK_PLUG_FLUSH_SIZE). A FLUSH goes its own
 * way, and flush ordering counts a held write as submitted, so a flush after it still waits for it.
 */
public final class Plug {
    /** Requests this long or longer are not held. */
    static final long MAX_HELD_BYTES = 128 << 10;

    private static final ThreadLocal<List<RequestQueue>> HELD = new ThreadLocal<>();

    private Plug() {}

    /** Holds this thread's submissions from now on; a thread already plugged stays so. */
    public static void start() {
        if (HELD.get() == null) {
            HELD.set(new ArrayList<>(2));
        }
    }

    /** Hands what this thread held to the drivers and stops holding; nothing if it was not plugged. */
    public static void finish() {
        List<RequestQueue> held = HELD.get();
        if (held == null) {
            return;
        }
        HELD.remove();
        RuntimeException first = null;
        for (RequestQueue q : held) {
            try {
                q.unplugged();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e; // the other queues still go: their requests must not wait for ever
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Whether this thread is plugged; if so, {@code q} is dispatched at {@link #finish}. Under q's lock. */
    static boolean hold(RequestQueue q) {
        List<RequestQueue> held = HELD.get();
        if (held == null) {
            return false;
        }
        if (!held.contains(q)) {
            held.add(q);
        }
        return true;
    }
}

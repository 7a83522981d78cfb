package dev.jdm.host.block;

import dev.jdm.host.sys.EpollSet;

/**
 * A driver whose completions another thread may reap (a domain LU's ring): a thread that is about to
 * wait for something of its own (an NBD reader, for its socket) waits for the driver's completions
 * too, and completes them itself. Then a completion costs one wake-up, not one of the driver's own
 * reaper and then another of the thread that the completion lets go on.
 *
 * <p>A helper {@linkplain #join joins} before its first wait and {@linkplain #leave leaves} before
 * it blocks on anything else, and when it is done: while any helper has joined, the driver's own
 * reaper does not wait on the completion doorbell, so a completion wakes one thread. A helper that
 * has joined must not block on anything else: it would hold up every request of the driver, other
 * clients' too, until the reaper's safety net (a look every few hundred milliseconds) found them.
 */
public interface SharedReaping {
    /** What {@link #reapOrArm} did. */
    enum Step {
        /** The driver cannot be helped now (restarting, failed, closed): leave, and wait as without it. */
        UNAVAILABLE,
        /** Completions were there and are done (on the calling thread); ask again. */
        REAPED,
        /** Nothing was there; the set will report the next completion under the token: wait, then {@link #disarm}. */
        ARMED
    }

    /** The thread that owns {@code wait} helps from now on. */
    void join(EpollSet wait);

    /** The thread that owns {@code wait} no longer helps (it joined before); the set stops watching the driver. */
    void leave(EpollSet wait);

    /**
     * Completes what the driver has completed, on the calling thread; if nothing was there, asks to
     * be told of the next completion: {@code wait} then watches the driver's doorbell under {@code token}.
     */
    Step reapOrArm(EpollSet wait, int token);

    /** After an {@link Step#ARMED} wait, whatever woke it. */
    void disarm();
}

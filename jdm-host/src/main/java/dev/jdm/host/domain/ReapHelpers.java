package dev.jdm.host.domain;

import dev.jdm.host.sys.EpollSet;
import dev.jdm.isolation.channel.FdDoorbell;
import dev.jdm.isolation.sys.SysException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The threads that help a {@link RingLuDriver} reap its completions ({@link
 * dev.jdm.host.block.SharedReaping}): each by its epoll set and the doorbell descriptor that set
 * watches, how many wait now, and the current ring's completion doorbell they wait on. Kept apart
 * from the driver because it changes with how helpers wait, not with how requests travel.
 *
 * <p>Only an eventfd doorbell can be shared: a helper's set watches it edge-triggered, so the
 * driver's io thread keeps the count and a descriptor that a restart closes just leaves the set.
 *
 * <p>Not thread-safe: the driver calls everything under its lock.
 */
final class ReapHelpers {
    /** Each helper's set, and the doorbell descriptor it watches (-1: none yet). */
    private final Map<EpollSet, Integer> helpers = new IdentityHashMap<>();
    /** Helpers waiting now: the last one to stop withdraws the ring's waiting flag. */
    private int armed;
    /** The current ring's completion doorbell, and its descriptor if it is an eventfd (else -1: nobody helps). */
    private FdDoorbell bell;
    private int bellFd = -1;

    /** A new ring serves the LU: its doorbell is the one to wait on. Helpers armed on the old one wake by their time-out, or its last ring. */
    void bind(RingLuDriver.Binding b) {
        bell = b.end().fromDomain() instanceof FdDoorbell f && f.kind() == FdDoorbell.Kind.EVENTFD ? f : null;
        bellFd = bell == null ? -1 : bell.fd();
        armed = 0;
    }

    boolean none() {
        return helpers.isEmpty();
    }

    void join(EpollSet wait) {
        helpers.putIfAbsent(wait, -1);
    }

    /**
     * {@code wait} stops helping, and stops watching the doorbell. True if it was the last helper:
     * the caller then wakes the io thread, and rings {@link #bell} if the io thread sleeps on it
     * (a helper may have withdrawn the ring's waiting flag that it sleeps under).
     */
    boolean leave(EpollSet wait) {
        Integer watched = helpers.remove(wait);
        if (watched == null) {
            return false;
        }
        if (watched >= 0) {
            wait.unwatch(watched);
        }
        return helpers.isEmpty();
    }

    /** The current ring's completion doorbell, or null where it cannot be shared. */
    FdDoorbell bell() {
        return bell;
    }

    /** Whether {@code wait} helps and there is a doorbell it can wait on. */
    boolean canHelp(EpollSet wait) {
        return helpers.containsKey(wait) && bellFd >= 0;
    }

    /**
     * Makes {@code wait} watch the current ring's doorbell (once per ring; the old ring's goes, if its
     * descriptor is still open), delivering {@code token}.
     *
     * @throws SysException if the set cannot watch it: that helper then waits as without help
     */
    void watchBell(EpollSet wait, int token) throws SysException {
        int watched = helpers.get(wait);
        if (watched == bellFd) {
            return;
        }
        if (watched >= 0) {
            wait.unwatch(watched);
        }
        wait.watch(bellFd, token, true); // edge-triggered: the io thread keeps the count
        helpers.put(wait, bellFd);
    }

    /** A helper is about to wait; the ring's waiting flag is up. */
    void arm() {
        armed++;
    }

    /** Whether some helper waits now (and needs the ring's waiting flag left up). */
    boolean anyArmed() {
        return armed > 0;
    }

    /** A helper stopped waiting; true if it was the last, so the ring's waiting flag may go. */
    boolean disarm() {
        return armed > 0 && --armed == 0;
    }
}

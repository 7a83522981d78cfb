package dev.jdm.isolation.ring;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * How a consumer waits for its ring: busy-poll for {@code spinNanos}, then announce that it sleeps,
 * poll once more, and sleep on the doorbell. Spinning trades a core for latency: a request that
 * arrives while spinning costs no system call on either side.
 */
public final class Waiter {
    private final long spinNanos;
    private final Doorbell doorbell;
    private final long timeoutMillis;

    /**
     * @param spinNanos how long to poll before sleeping (0: sleep at once)
     * @param doorbell what the producer rings
     * @param timeoutMillis how long one {@link #take} may sleep in all (negative: no limit)
     */
    public Waiter(long spinNanos, Doorbell doorbell, long timeoutMillis) {
        if (spinNanos < 0) {
            throw new IllegalArgumentException("spin time must not be negative, not " + spinNanos);
        }
        this.spinNanos = spinNanos;
        this.doorbell = doorbell;
        this.timeoutMillis = timeoutMillis;
    }

    /** The next descriptor of {@code ring}, waiting as configured. */
    public RequestDescriptor take(RingConsumer ring) throws PeerFaultException, IOException, TimeoutException {
        long deadline = timeoutMillis < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutMillis * 1_000_000;
        for (;;) {
            RequestDescriptor d = ring.poll();
            if (d != null) {
                return d;
            }
            if (spinNanos > 0) {
                long spinEnd = System.nanoTime() + spinNanos;
                int spins = 0;
                do {
                    if ((++spins & 63) == 0) {
                        Thread.yield(); // lets the peer have this core if both were put on it
                    } else {
                        Thread.onSpinWait();
                    }
                    d = ring.poll();
                    if (d != null) {
                        return d;
                    }
                } while (System.nanoTime() < spinEnd);
            }
            ring.announceWaiting();
            d = ring.poll();
            if (d != null) {
                ring.cancelWaiting();
                return d;
            }
            long left = -1;
            if (deadline != Long.MAX_VALUE) {
                left = (deadline - System.nanoTime() + 999_999) / 1_000_000;
                if (left <= 0) {
                    ring.cancelWaiting();
                    throw new TimeoutException(ring.name() + ": nothing arrived within " + timeoutMillis + " ms");
                }
            }
            doorbell.await(left); // rung, timed out or spurious: the next round polls and checks the time
        }
    }

    public Doorbell doorbell() {
        return doorbell;
    }
}

package dev.jdm.isolation.ring;

import java.io.IOException;

/**
 * A wake-up from the producer of a ring to its sleeping consumer. Rung only when the consumer asked
 * ({@link RingConsumer#announceWaiting}); several rings coalesce into one wake-up, and a spurious
 * wake-up is harmless because the consumer polls again.
 */
public interface Doorbell extends AutoCloseable {
    /** Wakes the peer. */
    void ring() throws IOException;

    /**
     * Sleeps until rung; false after {@code timeoutMillis} (negative: no time limit) without a ring.
     * A doorbell whose other end is gone throws.
     */
    boolean await(long timeoutMillis) throws IOException;

    @Override
    void close() throws IOException;
}

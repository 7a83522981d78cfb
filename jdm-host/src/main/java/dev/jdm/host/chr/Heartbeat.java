package dev.jdm.host.chr;

import java.io.IOException;

/**
 * Sent while a blocking operation waits, so that a caller who went away is found (the send
 * fails) and its open file is released instead of waiting for data that nobody will read.
 */
@FunctionalInterface
public interface Heartbeat {
    /** How long a wait lasts between heartbeats. */
    long INTERVAL_MS = 100;

    /** A heartbeat for a caller that cannot go away (tests, the host itself). */
    Heartbeat NONE = () -> {};

    /** @throws IOException if the caller is gone */
    void beat() throws IOException;
}

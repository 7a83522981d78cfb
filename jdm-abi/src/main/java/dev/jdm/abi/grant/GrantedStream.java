package dev.jdm.abi.grant;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/**
 * A character device, FIFO or file the host opened read-only on a module's behalf and reads as a
 * stream (read(2), no offsets): an input node such as {@code /dev/input/event3}. Modules may not
 * run threads, so the host's reader waits in read and hands what arrives to the module's
 * {@link StreamReceiver}.
 */
@Provided
@Since("JDM_1.2")
public interface GrantedStream extends AutoCloseable {
    /** The path, for messages. */
    String path();

    /**
     * Stops reading and closes the handle; no receiver call begins after it returns (unless it
     * is called from the receiver itself, whose call then is the last). Idempotent.
     */
    @Override
    void close();
}

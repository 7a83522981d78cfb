package dev.jdm.abi.blk;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/**
 * The requests handed to one {@link BlockQueueDriver#submit} call: at least one, in no particular
 * order (the host orders what must be ordered, such as a FLUSH after the writes it covers, by
 * holding it back). Valid only during that call.
 */
@Provided
@Since("JDM_1.1")
public interface BlockBatch {
    /** Number of requests, at least 1. */
    int size();

    /**
     * The request at {@code index}.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= index < size()}
     */
    BlockRequest get(int index);
}

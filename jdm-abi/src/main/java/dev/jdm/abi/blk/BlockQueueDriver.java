package dev.jdm.abi.blk;

import dev.jdm.abi.Implemented;
import dev.jdm.abi.Since;

/**
 * A driver's entry point for one LU, generation {@code JDM_1.1}: asynchronous and batched. The
 * host hands over every request that is ready at once, so a driver can issue them together (one
 * doorbell for a ring, one system call for a vector) and complete each whenever it finishes, on
 * any thread, in any order.
 *
 * <p>It is registered with {@link BlockDevice.Builder#registerQueue}. A {@link BlockDriver} of
 * {@code JDM_1.0} keeps working: the host serves it through this contract, one request at a time.
 */
@Implemented
@FunctionalInterface
@Since("JDM_1.1")
public interface BlockQueueDriver {
    /**
     * Starts every request of {@code batch}; return quickly. Each request is completed exactly
     * once with {@link BlockRequest#complete}, now or later. The batch itself is valid only during
     * this call: keep the requests, not the batch. An exception thrown here completes every request
     * of the batch not yet completed with {@link BlockStatus#EIO}.
     */
    void submit(BlockBatch batch);
}

package dev.jdm.abi.blk;

import dev.jdm.abi.Implemented;

/**
 * A driver's entry point for one LU. Generation {@code JDM_1.0} of the block driver interface: it
 * stays this one method; a later generation is a new interface, served beside this one.
 */
@Implemented
@FunctionalInterface
public interface BlockDriver {
    /**
     * Starts a request the host has checked. Return quickly; complete it now or later with
     * {@link BlockRequest#complete}. An exception thrown here completes it with {@link BlockStatus#EIO}.
     */
    void submit(BlockRequest request);
}

package dev.jdm.abi.blk;

import dev.jdm.abi.Provided;
import dev.jdm.abi.grant.Grants;

/**
 * The block layer as a module sees it ({@code ModuleContext.block()}): registers LUs and gives
 * access to backing storage the host grants. LUs a module leaves registered are removed (and
 * reported) when it unloads.
 */
@Provided
public interface BlockLayer {
    /**
     * Starts describing an LU named {@code name}: lower-case letters, digits, '-' and '_', ending
     * in a letter or digit; at most 32 characters.
     */
    BlockDevice.Builder device(String name);

    /** Backing storage granted to this module: files and block devices the host opened for it. */
    Grants grants();
}

package dev.jdm.host.module;

import java.util.Set;

/**
 * A service that serves a module's older ABI shapes through adapters, and says which: shown by
 * {@code jdm modinfo} as {@code adapter:} lines, so an operator sees that an old binary runs and how.
 */
public interface AbiAdapters {
    /** One line per adapter in use, e.g. {@code dev.jdm.abi.blk.BlockDriver (JDM_1.0) served as BlockQueueDriver (JDM_1.1)}. */
    Set<String> adapters();
}

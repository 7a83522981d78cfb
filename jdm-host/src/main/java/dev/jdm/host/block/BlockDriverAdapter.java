package dev.jdm.host.block;

import dev.jdm.abi.blk.BlockBatch;
import dev.jdm.abi.blk.BlockDriver;
import dev.jdm.abi.blk.BlockQueueDriver;
import dev.jdm.abi.blk.BlockStatus;
import java.util.function.Consumer;

/**
 * Serves a {@code JDM_1.0} {@link BlockDriver} through the {@code JDM_1.1} contract the block layer
 * speaks: each request of a batch goes to {@code submit} on its own, and an exception completes
 * that one request with EIO, as the 1.0 contract says, without touching the rest of the batch.
 */
final class BlockDriverAdapter implements BlockQueueDriver {
    /** What {@code jdm modinfo} shows for a module served through this adapter. */
    static final String DESCRIPTION = "dev.jdm.abi.blk.BlockDriver (JDM_1.0) served as BlockQueueDriver (JDM_1.1)";

    private final BlockDriver driver;
    private final String lu;
    private final Consumer<String> warn;

    BlockDriverAdapter(BlockDriver driver, String lu, Consumer<String> warn) {
        this.driver = driver;
        this.lu = lu;
        this.warn = warn;
    }

    @Override
    public void submit(BlockBatch batch) {
        for (int i = 0, n = batch.size(); i < n; i++) {
            HostBlockRequest r = (HostBlockRequest) batch.get(i);
            try {
                driver.submit(r);
            } catch (RuntimeException | Error e) {
                warn.accept(lu + ": driver failed " + r + ": " + e);
                if (!r.isCompleted()) {
                    r.complete(BlockStatus.EIO);
                }
            }
        }
    }
}

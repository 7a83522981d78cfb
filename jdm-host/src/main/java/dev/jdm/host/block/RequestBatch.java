package dev.jdm.host.block;

import dev.jdm.abi.blk.BlockBatch;
import dev.jdm.abi.blk.BlockRequest;
import java.util.List;

/** Several requests issued to a {@code BlockQueueDriver} in one call. */
record RequestBatch(List<HostBlockRequest> requests) implements BlockBatch {
    @Override
    public int size() {
        return requests.size();
    }

    @Override
    public BlockRequest get(int index) {
        return requests.get(index);
    }
}

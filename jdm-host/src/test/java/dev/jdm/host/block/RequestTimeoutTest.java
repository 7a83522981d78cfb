package dev.jdm.host.block;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** blk.request_timeout_ms: a driver that never completes cannot keep a caller waiting. */
class RequestTimeoutTest {
    private final IoStats stats = new IoStats();
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final List<BlockRequest> held = new CopyOnWriteArrayList<>();

    private RequestQueue queue(long timeoutMs) {
        dev.jdm.abi.blk.BlockQueueDriver never = batch -> {
            for (int i = 0; i < batch.size(); i++) {
                held.add(batch.get(i)); // kept, never completed
            }
        };
        return new RequestQueue("stuck0", "stuckdisk", () -> timeoutMs, never, RequestQueueTest.SIZE, 512, BlockDevice.FLUSH,
                () -> 0, stats, warnings::add, (o, l) -> { });
    }

    @Test
    void shouldFailWriteReadAndFlushWithEtimedoutAndIgnoreTheLateCompletion() throws Exception {
        RequestQueue q = queue(100);
        CompletableFuture<Integer> write = RequestQueueTest.submit(q, BlockOp.WRITE, 0, 512, 0, RequestQueueTest.filled(512, 1));
        CompletableFuture<Integer> read = RequestQueueTest.submit(q, BlockOp.READ, 1 << 20, 512, 0, RequestQueueTest.filled(512, 0));
        CompletableFuture<Integer> flush = RequestQueueTest.submit(q, BlockOp.FLUSH, 0, 0, 0, null);
        assertThat(write.get(10, TimeUnit.SECONDS)).isEqualTo(RequestTimeouts.ETIMEDOUT);
        assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(RequestTimeouts.ETIMEDOUT);
        // the flush waited for the write's epoch; once that write failed it went to the driver, and timed out too
        assertThat(flush.get(10, TimeUnit.SECONDS)).isEqualTo(RequestTimeouts.ETIMEDOUT);
        assertThat(warnings).anyMatch(w -> w.contains("stuck0: driver stuckdisk did not complete WRITE @0+512 within 100 ms"));
        for (BlockRequest r : held) {
            r.complete(BlockStatus.OK); // late: ignored, not thrown at the driver
        }
        assertThat(write.get()).isEqualTo(RequestTimeouts.ETIMEDOUT);
        assertThat(q.drain(1000)).as("nothing is left outstanding").isTrue();
    }

    @Test
    void shouldLeaveRequestsAloneWithoutATimeout() throws Exception {
        RequestQueue q = queue(0);
        CompletableFuture<Integer> read = RequestQueueTest.submit(q, BlockOp.READ, 0, 512, 0, RequestQueueTest.filled(512, 0));
        for (int i = 0; i < 10 && held.isEmpty(); i++) {
            Thread.sleep(10);
        }
        Thread.sleep(3 * RequestTimeouts.TICK_MS);
        assertThat(read).isNotDone();
        held.getFirst().complete(BlockStatus.OK);
        assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(BlockStatus.OK);
    }
}

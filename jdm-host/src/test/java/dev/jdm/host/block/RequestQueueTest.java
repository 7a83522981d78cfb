package dev.jdm.host.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockDriver;
import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The request path: checks, guard, merging, flush ordering and capability emulation. */
class RequestQueueTest {
    static final long SIZE = 16 << 20;

    /** A driver that records requests and completes them only when told (or at once if {@code auto}). */
    static class Recorder implements BlockDriver {
        final List<BlockRequest> seen = new CopyOnWriteArrayList<>();
        final List<String> log = new CopyOnWriteArrayList<>();
        volatile boolean auto = true;
        final MemorySegment disk = Arena.ofAuto().allocate(SIZE);

        @Override
        public void submit(BlockRequest r) {
            seen.add(r);
            log.add(r.op() + "@" + r.offset() + "+" + r.length() + ((r.flags() & BlockRequest.FUA) != 0 ? "+fua" : ""));
            if (r.op() == BlockOp.WRITE) {
                disk.asSlice(r.offset(), r.length()).copyFrom(r.data());
            }
            if (r.op() == BlockOp.READ) {
                r.data().copyFrom(disk.asSlice(r.offset(), r.length()));
            }
            if (auto) {
                r.complete(BlockStatus.OK);
            }
        }

        BlockRequest find(BlockOp op) {
            return seen.stream().filter(r -> r.op() == op).findFirst().orElseThrow();
        }
    }

    final IoStats stats = new IoStats();
    final List<String> warnings = new CopyOnWriteArrayList<>();
    final List<long[]> written = new CopyOnWriteArrayList<>();

    RequestQueue queue(BlockDriver d, int caps, long guard) {
        return new RequestQueue("t0", new BlockDriverAdapter(d, "t0", warnings::add), SIZE, 512, caps, () -> guard, stats, warnings::add, (o, l) -> written.add(new long[] {o, l}));
    }

    static CompletableFuture<Integer> submit(RequestQueue q, BlockOp op, long off, long len, int flags, MemorySegment data) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        q.submit(op, off, len, flags, data, f::complete);
        return f;
    }

    static MemorySegment filled(long len, int value) {
        MemorySegment s = Arena.ofAuto().allocate(len);
        s.fill((byte) value);
        return s;
    }

    @Test
    void shouldHandWaitingRequestsToABatchDriverTogether() throws Exception {
        // every dispatcher is held inside the driver, so the next requests wait and go as batches
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        dev.jdm.abi.blk.BlockQueueDriver driver = batch -> {
            sizes.add(batch.size());
            if (sizes.size() <= RequestQueue.MAX_DISPATCHERS) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            for (int i = 0; i < batch.size(); i++) {
                assertThat(batch.get(i).submitNanos()).isPositive();
                assertThat(batch.get(i).priority()).isEqualTo(4);
                batch.get(i).complete(BlockStatus.OK);
            }
        };
        RequestQueue q = new RequestQueue("t0", driver, SIZE, 512, 0, () -> 0, stats, warnings::add, (o, l) -> { });
        List<CompletableFuture<Integer>> done = new CopyOnWriteArrayList<>();
        List<Thread> holders = new ArrayList<>();
        for (int i = 0; i < RequestQueue.MAX_DISPATCHERS; i++) {
            long off = i * 8192L;
            holders.add(Thread.ofVirtual().start(() -> done.add(submit(q, BlockOp.READ, off, 512, 0, filled(512, 0)))));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sizes.size() < RequestQueue.MAX_DISPATCHERS && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(sizes).as("dispatchers inside the driver").hasSize(RequestQueue.MAX_DISPATCHERS);
        // 40 reads that do not touch one another (no merging): they queue behind the held dispatchers
        for (int i = 0; i < 40; i++) {
            done.add(submit(q, BlockOp.READ, (1 << 20) + i * 8192L, 512, 0, filled(512, 0)));
        }
        release.countDown();
        for (Thread t : holders) {
            t.join();
        }
        for (CompletableFuture<Integer> f : done) {
            assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(BlockStatus.OK);
        }
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(48);
        assertThat(sizes).as("batch sizes").anyMatch(n -> n > 1).allMatch(n -> n <= RequestQueue.MAX_BATCH);
    }

    /** A batch driver that records each batch as its requests' "op@offset" and completes them at once. */
    static final class BatchRecorder implements dev.jdm.abi.blk.BlockQueueDriver {
        final List<List<String>> batches = new CopyOnWriteArrayList<>();

        @Override
        public void submit(dev.jdm.abi.blk.BlockBatch batch) {
            List<String> b = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                b.add(batch.get(i).op() + "@" + batch.get(i).offset());
            }
            batches.add(b);
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).complete(BlockStatus.OK);
            }
        }
    }

    @Test
    void shouldHoldAPluggedThreadsRequestsAndHandThemOverAsOneBatch() throws Exception {
        BatchRecorder d = new BatchRecorder();
        RequestQueue q = new RequestQueue("t0", d, SIZE, 512, BlockDevice.FLUSH, () -> 0, stats, warnings::add, (o, l) -> { });
        List<CompletableFuture<Integer>> done = new ArrayList<>();
        Plug.start();
        try {
            for (int i = 0; i < 5; i++) {
                done.add(submit(q, i % 2 == 0 ? BlockOp.WRITE : BlockOp.READ, i * 8192L, 4096, 0, filled(4096, i)));
            }
            assertThat(d.batches).as("held while plugged").isEmpty();
            assertThat(done).noneMatch(CompletableFuture::isDone);
        } finally {
            Plug.finish();
        }
        assertThat(d.batches).containsExactly(List.of("WRITE@0", "READ@8192", "WRITE@16384", "READ@24576", "WRITE@32768"));
        for (CompletableFuture<Integer> f : done) {
            assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(BlockStatus.OK);
        }
        Plug.finish(); // twice: nothing more to do
        submit(q, BlockOp.READ, 0, 4096, 0, filled(4096, 0)).get(10, TimeUnit.SECONDS);
        assertThat(d.batches).as("unplugged: at once").hasSize(2);
    }

    @Test
    void shouldLetALargeRequestGoAtOnceWithWhatItsQueueHeld() throws Exception {
        BatchRecorder d = new BatchRecorder();
        RequestQueue q = new RequestQueue("t0", d, SIZE, 512, BlockDevice.FLUSH, () -> 0, stats, warnings::add, (o, l) -> { });
        Plug.start();
        try {
            submit(q, BlockOp.WRITE, 0, 4096, 0, filled(4096, 1));
            submit(q, BlockOp.READ, 1 << 20, Plug.MAX_HELD_BYTES, 0, filled(Plug.MAX_HELD_BYTES, 0));
            assertThat(d.batches).containsExactly(List.of("WRITE@0", "READ@" + (1 << 20)));
        } finally {
            Plug.finish();
        }
        assertThat(d.batches).hasSize(1);
    }

    @Test
    void shouldKeepAFlushBehindAHeldWrite() throws Exception {
        BatchRecorder d = new BatchRecorder();
        RequestQueue q = new RequestQueue("t0", d, SIZE, 512, BlockDevice.FLUSH, () -> 0, stats, warnings::add, (o, l) -> { });
        CompletableFuture<Integer> w;
        CompletableFuture<Integer> f;
        Plug.start();
        try {
            w = submit(q, BlockOp.WRITE, 0, 4096, 0, filled(4096, 1));
            f = submit(q, BlockOp.FLUSH, 0, 0, 0, null);
            assertThat(d.batches).as("the flush waits for the held write").isEmpty();
        } finally {
            Plug.finish();
        }
        assertThat(w.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(f.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(d.batches).containsExactly(List.of("WRITE@0"), List.of("FLUSH@0"));
    }

    @Test
    void shouldFailWhatABatchDriverLeftOpenWhenItThrows() throws Exception {
        dev.jdm.abi.blk.BlockQueueDriver driver = batch -> {
            batch.get(0).complete(BlockStatus.OK);
            throw new IllegalStateException("driver bug");
        };
        RequestQueue q = new RequestQueue("t0", driver, SIZE, 512, 0, () -> 0, stats, warnings::add, (o, l) -> { });
        assertThat(submit(q, BlockOp.READ, 0, 512, 0, filled(512, 0)).get()).isEqualTo(BlockStatus.OK);
        assertThat(warnings).anyMatch(w -> w.contains("driver failed 1 request(s)") && w.contains("driver bug"));
    }

    @Test
    void shouldFailOnlyTheThrowingRequestOfAnAdaptedOldDriver() throws Exception {
        BlockDriver old = r -> {
            if (r.offset() == 4096) {
                throw new IllegalArgumentException("bad sector");
            }
            r.complete(BlockStatus.OK);
        };
        BlockDriverAdapter adapter = new BlockDriverAdapter(old, "t0", warnings::add);
        List<Integer> statuses = new CopyOnWriteArrayList<>();
        List<HostBlockRequest> batch = new ArrayList<>();
        for (long off : new long[] {0, 4096, 8192}) {
            batch.add(new HostBlockRequest(BlockOp.READ, off, 512, 0, filled(512, 0), statuses::add));
        }
        adapter.submit(new RequestBatch(batch));
        assertThat(statuses).containsExactly(BlockStatus.OK, BlockStatus.EIO, BlockStatus.OK);
        assertThat(warnings).singleElement().satisfies(w -> assertThat(w).contains("t0: driver failed READ @4096+512").contains("bad sector"));
    }

    @Test
    void shouldRefuseBadRangesBeforeTheDriverSeesThem() throws Exception {
        Recorder d = new Recorder();
        RequestQueue q = queue(d, 0, 0);
        assertThat(submit(q, BlockOp.READ, SIZE, 512, 0, filled(512, 0)).get()).isEqualTo(BlockStatus.EINVAL);
        assertThat(submit(q, BlockOp.READ, SIZE - 512, 1024, 0, filled(1024, 0)).get()).isEqualTo(BlockStatus.EINVAL);
        assertThat(submit(q, BlockOp.READ, 100, 512, 0, filled(512, 0)).get()).isEqualTo(BlockStatus.EINVAL);
        assertThat(submit(q, BlockOp.WRITE, 0, 512, 0, null).get()).isEqualTo(BlockStatus.EINVAL);
        assertThat(submit(q, BlockOp.DISCARD, 0, 0, 0, null).get()).isEqualTo(BlockStatus.EINVAL);
        assertThat(submit(q, BlockOp.WRITE_ZEROES, 512, Long.MAX_VALUE - 511, 0, null).get()).isEqualTo(BlockStatus.EINVAL);
        assertThat(d.seen).isEmpty();
        assertThat(stats.snapshot().errors()).isEqualTo(6);
        assertThat(stats.snapshot().inFlight()).isZero();
    }

    @Test
    void shouldRefuseEveryWriteKindOverlappingTheGuardWithEperm() throws Exception {
        Recorder d = new Recorder();
        RequestQueue q = queue(d, BlockDevice.DISCARD | BlockDevice.WRITE_ZEROES, 0x10000);
        assertThat(submit(q, BlockOp.WRITE, 0, 512, 0, filled(512, 1)).get()).isEqualTo(BlockStatus.EPERM);
        assertThat(submit(q, BlockOp.WRITE, 0xfe00, 1024, 0, filled(1024, 1)).get()).isEqualTo(BlockStatus.EPERM);
        assertThat(submit(q, BlockOp.WRITE_ZEROES, 0x8000, 0x10000, 0, null).get()).isEqualTo(BlockStatus.EPERM);
        assertThat(submit(q, BlockOp.DISCARD, 0, SIZE, 0, null).get()).isEqualTo(BlockStatus.EPERM);
        assertThat(d.seen).isEmpty();
        assertThat(submit(q, BlockOp.WRITE, 0x10000, 512, 0, filled(512, 1)).get()).isEqualTo(BlockStatus.OK);
        assertThat(submit(q, BlockOp.READ, 0, 512, 0, filled(512, 1)).get()).isEqualTo(BlockStatus.OK);
        assertThat(d.log).containsExactly("WRITE@65536+512", "READ@0+512");
    }

    @Test
    void shouldRefuseWritesToAReadOnlyLuWithErofs() throws Exception {
        Recorder d = new Recorder();
        RequestQueue q = queue(d, BlockDevice.READ_ONLY | BlockDevice.FLUSH, 0);
        assertThat(submit(q, BlockOp.WRITE, 0x20000, 512, 0, filled(512, 1)).get()).isEqualTo(BlockStatus.EROFS);
        assertThat(submit(q, BlockOp.FLUSH, 0, 0, 0, null).get()).isEqualTo(BlockStatus.OK);
        assertThat(d.log).containsExactly("FLUSH@0+0");
    }

    @Test
    void shouldMergeAdjacentRequestsThatWaitedAndSplitTheirCompletions() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(RequestQueue.MAX_DISPATCHERS);
        Recorder d = new Recorder() {
            @Override
            public void submit(BlockRequest r) {
                if (r.offset() >= 8 << 20) { // the blockers: keep every dispatcher busy
                    busy.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                super.submit(r);
            }
        };
        RequestQueue q = queue(d, 0, 0);
        List<Thread> blockers = new ArrayList<>();
        for (int i = 0; i < RequestQueue.MAX_DISPATCHERS; i++) {
            long off = (8L << 20) + i * (1L << 20);
            blockers.add(Thread.ofVirtual().start(() -> submit(q, BlockOp.WRITE, off, 4096, 0, filled(4096, 9))));
            // one at a time: two blockers pending together would go to one dispatcher in one batch,
            // and the second would wait behind the first inside the driver instead of taking a dispatcher
            long want = RequestQueue.MAX_DISPATCHERS - i - 1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (busy.getCount() > want && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
        }
        assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<Integer>> parts = new ArrayList<>();
        for (int i : new int[] {1, 0, 3, 2}) { // out of order: front and back merges
            parts.add(submit(q, BlockOp.WRITE, 0x100000 + i * 4096L, 4096, 0, filled(4096, i + 1)));
        }
        assertThat(parts).noneMatch(CompletableFuture::isDone);
        release.countDown();
        for (CompletableFuture<Integer> f : parts) {
            assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(BlockStatus.OK);
        }
        for (Thread t : blockers) {
            t.join();
        }
        assertThat(d.log).contains("WRITE@1048576+16384").noneMatch(l -> l.startsWith("WRITE@1052672"));
        for (int i = 0; i < 4; i++) {
            assertThat(d.disk.asSlice(0x100000 + i * 4096L, 4096).mismatch(filled(4096, i + 1))).isEqualTo(-1);
        }
        assertThat(stats.snapshot().merged()).isEqualTo(4);
        assertThat(stats.snapshot().ops(BlockOp.WRITE)).isEqualTo(RequestQueue.MAX_DISPATCHERS + 4);
    }

    @Test
    void shouldHoldAFlushUntilEarlierWritesCompleteButNotLaterOnes() throws Exception {
        Recorder d = new Recorder();
        d.auto = false;
        RequestQueue q = queue(d, BlockDevice.FLUSH, 0);
        CompletableFuture<Integer> a = submit(q, BlockOp.WRITE, 0, 512, 0, filled(512, 1));
        CompletableFuture<Integer> f = submit(q, BlockOp.FLUSH, 0, 0, 0, null);
        CompletableFuture<Integer> b = submit(q, BlockOp.WRITE, 512, 512, 0, filled(512, 2));
        assertThat(d.log).containsExactly("WRITE@0+512", "WRITE@512+512");
        d.seen.get(0).complete(BlockStatus.OK);
        assertThat(a.get()).isZero();
        assertThat(d.log).as("the flush goes once the write before it completed, not waiting for the one after")
                .containsExactly("WRITE@0+512", "WRITE@512+512", "FLUSH@0+0");
        d.find(BlockOp.FLUSH).complete(BlockStatus.OK);
        assertThat(f.get()).isZero();
        assertThat(b).isNotDone();
        d.seen.get(1).complete(BlockStatus.OK);
        assertThat(b.get()).isZero();
    }

    @Test
    void shouldReleaseEachFlushOnlyWhenEveryWriteBeforeItCompleted() throws Exception {
        Recorder d = new Recorder();
        d.auto = false;
        RequestQueue q = queue(d, BlockDevice.FLUSH, 0);
        submit(q, BlockOp.WRITE, 0, 512, 0, filled(512, 1));
        CompletableFuture<Integer> f1 = submit(q, BlockOp.FLUSH, 0, 0, 0, null);
        submit(q, BlockOp.WRITE, 512, 512, 0, filled(512, 2));
        CompletableFuture<Integer> f2 = submit(q, BlockOp.FLUSH, 0, 0, 0, null);
        CompletableFuture<Integer> f3 = submit(q, BlockOp.FLUSH, 0, 0, 0, null);
        d.seen.get(1).complete(BlockStatus.OK); // the later write first: f2 still waits for the earlier one
        assertThat(d.log).as("no flush while the first write is in flight").containsExactly("WRITE@0+512", "WRITE@512+512");
        d.seen.get(0).complete(BlockStatus.OK);
        assertThat(d.log).as("now every flush may go, oldest first").containsExactly("WRITE@0+512", "WRITE@512+512", "FLUSH@0+0",
                "FLUSH@0+0", "FLUSH@0+0");
        d.seen.subList(2, 5).forEach(r -> r.complete(BlockStatus.OK));
        assertThat(f1.get()).isZero();
        assertThat(f2.get()).isZero();
        assertThat(f3.get()).isZero();
        CompletableFuture<Integer> idle = submit(q, BlockOp.FLUSH, 0, 0, 0, null);
        assertThat(d.log).as("with nothing in flight a flush goes at once").hasSize(6);
        d.seen.get(5).complete(BlockStatus.OK);
        assertThat(idle.get()).isZero();
    }

    @Test
    void shouldFollowAFuaWriteWithAFlushWhenTheDriverLacksFua() throws Exception {
        Recorder d = new Recorder();
        RequestQueue q = queue(d, BlockDevice.FLUSH, 0);
        assertThat(submit(q, BlockOp.WRITE, 4096, 512, BlockRequest.FUA, filled(512, 1)).get()).isZero();
        assertThat(d.log).containsExactly("WRITE@4096+512", "FLUSH@0+0");
        Recorder withFua = new Recorder();
        RequestQueue q2 = queue(withFua, BlockDevice.FLUSH | BlockDevice.FUA, 0);
        assertThat(submit(q2, BlockOp.WRITE, 4096, 512, BlockRequest.FUA, filled(512, 1)).get()).isZero();
        assertThat(withFua.log).containsExactly("WRITE@4096+512+fua");
    }

    @Test
    void shouldEmulateWriteZeroesAndRefuseFastZeroWithoutSupport() throws Exception {
        Recorder d = new Recorder();
        d.disk.fill((byte) 7);
        RequestQueue q = queue(d, 0, 0);
        assertThat(submit(q, BlockOp.WRITE_ZEROES, 0x100000, 3L << 20, BlockRequest.FAST_ZERO, null).get()).isEqualTo(BlockStatus.EOPNOTSUPP);
        assertThat(d.seen).isEmpty();
        assertThat(submit(q, BlockOp.WRITE_ZEROES, 0x100000, (3L << 20) + 512, 0, null).get()).isZero();
        assertThat(d.log).containsExactly("WRITE@1048576+1048576", "WRITE@2097152+1048576", "WRITE@3145728+1048576", "WRITE@4194304+512");
        assertThat(d.disk.asSlice(0x100000, (3L << 20) + 512).mismatch(filled((3L << 20) + 512, 0))).isEqualTo(-1);
        assertThat(submit(q, BlockOp.DISCARD, 0x100000, 4096, 0, null).get()).as("discard without support is a no-op").isZero();
        assertThat(d.log).hasSize(4);
    }

    @Test
    void shouldCompleteWithEioWhenTheDriverThrowsAndRefuseDoubleCompletion() throws Exception {
        RequestQueue q = queue(r -> {
            throw new IllegalStateException("boom");
        }, 0, 0);
        assertThat(submit(q, BlockOp.READ, 0, 512, 0, filled(512, 0)).get()).isEqualTo(BlockStatus.EIO);
        assertThat(warnings).singleElement().asString().contains("boom");
        Recorder d = new Recorder();
        RequestQueue q2 = queue(d, 0, 0);
        assertThat(submit(q2, BlockOp.READ, 0, 512, 0, filled(512, 0)).get()).isZero();
        assertThatThrownBy(() -> d.seen.getFirst().complete(BlockStatus.EIO)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("completed twice");
    }

    @Test
    void shouldReportCompletedWritesForTableRescansAndAccountLatency() throws Exception {
        Recorder d = new Recorder();
        RequestQueue q = queue(d, 0, 0);
        submit(q, BlockOp.WRITE, 0, 1024, 0, filled(1024, 1)).get();
        submit(q, BlockOp.READ, 0, 1024, 0, filled(1024, 1)).get();
        assertThat(written).singleElement().satisfies(w -> assertThat(w).containsExactly(0L, 1024L));
        IoStats.Snapshot s = stats.snapshot();
        assertThat(s.ops(BlockOp.WRITE)).isEqualTo(1);
        assertThat(s.bytes(BlockOp.READ)).isEqualTo(1024);
        assertThat(s.p99Nanos()).isPositive().isGreaterThanOrEqualTo(s.p50Nanos());
        assertThat(q.drain(1000)).isTrue();
        assertThat(submit(q, BlockOp.READ, 0, 512, 0, filled(512, 1)).get()).as("after removal").isEqualTo(BlockStatus.ENODEV);
    }

    @Test
    void shouldBucketLatenciesWithinAnEighth() {
        LatencyHistogram h = new LatencyHistogram();
        for (long v = 1; v <= 1000; v++) {
            h.record(v * 1000);
        }
        assertThat(h.percentile(0.5)).isBetween(500_000L, 500_000L * 9 / 8);
        assertThat(h.percentile(0.99)).isBetween(990_000L, 990_000L * 9 / 8);
        for (long v : new long[] {0, 1, 15, 16, 17, 1000, 123456789, Long.MAX_VALUE}) {
            int b = LatencyHistogram.bucket(v);
            assertThat(LatencyHistogram.upperBound(b)).as("upper bound of %d", v).isGreaterThanOrEqualTo(v);
        }
    }
}

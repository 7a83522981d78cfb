package dev.jdm.host.domain;

import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.block.BufferLender;
import dev.jdm.host.block.LuHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A write-then-verify workload through the block layer: each worker owns a slice of blocks, writes
 * a block (4 KiB, sometimes a 64 KiB run, sometimes FUA) with content derived from (block,
 * generation), reads it back and compares, and flushes now and then. It remembers the generation of
 * every block, so {@link #verifyAll} finds a lost or corrupted block after the run. Half the 64 KiB
 * runs are written from and read into buffers the LU's driver lends ({@link LuHandle#lend}), when
 * it lends any, as the NBD server's are: so a restart finds loans in flight too. Every status that
 * is not OK and every mismatch is recorded as a failure, with what and where.
 */
public final class WriteVerifyWorkload {
    public static final int BLOCK = 4096;
    /** Where the workload's blocks start: past the boot-area guard, which refuses writes below it. */
    public static final long BASE = 1L << 20;
    private final LuHandle lu;
    private final int workers;
    private final int blocksPerWorker;
    private final long[] generation;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong ops = new AtomicLong();
    private final AtomicLong loans = new AtomicLong();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();

    public WriteVerifyWorkload(LuHandle lu, int workers, int blocksPerWorker) {
        this.lu = lu;
        this.workers = workers;
        this.blocksPerWorker = blocksPerWorker;
        this.generation = new long[workers * blocksPerWorker];
    }

    public void start() {
        for (int w = 0; w < workers; w++) {
            int id = w;
            threads.add(Thread.ofPlatform().name("workload-" + w).start(() -> run(id)));
        }
    }

    /** Stops the workers and waits for them. */
    public void stop() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
    }

    public long ops() {
        return ops.get();
    }

    /** Requests whose data was a buffer the driver lent. */
    public long loans() {
        return loans.get();
    }

    public List<String> failures() {
        return List.copyOf(failures);
    }

    private void run(int worker) {
        Random rnd = new Random(worker * 7919L);
        Arena arena = Arena.ofShared();
        MemorySegment out = arena.allocate(16 * BLOCK, BLOCK);
        MemorySegment in = arena.allocate(16 * BLOCK, BLOCK);
        try {
            while (!stop.get() && failures.size() < 20) {
                int run = rnd.nextInt(8) == 0 ? 16 : 1;
                int first = worker * blocksPerWorker + rnd.nextInt(blocksPerWorker - run + 1);
                for (int b = 0; b < run; b++) {
                    fill(out.asSlice((long) b * BLOCK, BLOCK), first + b, generation[first + b] + 1);
                }
                int flags = rnd.nextInt(10) == 0 ? BlockRequest.FUA : 0;
                long bytes = (long) run * BLOCK;
                boolean borrow = run > 1 && rnd.nextBoolean();
                BufferLender.Loan src = borrow ? lu.lend(bytes) : null;
                if (src != null) {
                    src.segment().copyFrom(out.asSlice(0, bytes));
                    loans.incrementAndGet();
                }
                int written = lu.write(BASE + (long) first * BLOCK, src != null ? src.segment() : out.asSlice(0, bytes), flags);
                if (src != null) {
                    src.giveBack();
                }
                check(written, "write", first, run);
                for (int b = 0; b < run && written == BlockStatus.OK; b++) {
                    generation[first + b]++;
                }
                BufferLender.Loan dst = borrow ? lu.lend(bytes) : null;
                MemorySegment got = dst != null ? dst.segment() : in.asSlice(0, bytes);
                check(lu.read(BASE + (long) first * BLOCK, got), "read", first, run);
                for (int b = 0; b < run; b++) {
                    compare(got.asSlice((long) b * BLOCK, BLOCK), first + b, "read-back");
                }
                if (dst != null) {
                    dst.giveBack();
                    loans.incrementAndGet();
                }
                if (rnd.nextInt(16) == 0) {
                    check(lu.flush(), "flush", 0, 0);
                }
                ops.incrementAndGet();
            }
        } catch (InterruptedException e) {
            failures.add("worker " + worker + " interrupted");
        } finally {
            arena.close();
        }
    }

    /** Reads every block once and compares it with its last generation written. */
    public void verifyAll() throws InterruptedException {
        try (Arena arena = Arena.ofShared()) { // shared: the block layer's threads fill it
            MemorySegment in = arena.allocate(BLOCK, BLOCK);
            for (int b = 0; b < generation.length; b++) {
                check(lu.read(BASE + (long) b * BLOCK, in), "final read", b, 1);
                compare(in, b, "final verify");
            }
        }
    }

    private void check(int status, String op, int block, int blocks) {
        if (status != BlockStatus.OK) {
            failures.add(op + " of blocks " + block + "+" + blocks + ": status " + status);
        }
    }

    private void compare(MemorySegment got, int block, String when) {
        long gen = generation[block];
        if (gen == 0) {
            if (got.mismatch(MemorySegment.ofArray(new byte[BLOCK])) != -1) {
                failures.add(when + ": block " + block + " never written but not zero");
            }
            return;
        }
        long head = got.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        long seed = seed(block, gen);
        for (int i = 0; i < BLOCK; i += 8) {
            if (got.get(ValueLayout.JAVA_LONG_UNALIGNED, i) != seed + i) {
                failures.add(when + ": block " + block + " generation " + gen + " differs at byte " + i + " (its first word " + head
                        + ", expected " + seed + ")");
                return;
            }
        }
    }

    private static void fill(MemorySegment s, int block, long gen) {
        long seed = seed(block, gen);
        for (int i = 0; i < BLOCK; i += 8) {
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, i, seed + i);
        }
    }

    private static long seed(int block, long gen) {
        return ((long) block << 32) ^ (gen * 0x9E3779B97F4A7C15L);
    }
}

package dev.jdm.host.block;

import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockExtents;
import dev.jdm.abi.blk.BlockQueueDriver;
import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.block.part.Partition;
import dev.jdm.host.module.ModuleSite;
import dev.jdm.host.block.part.PartitionTable;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * An LU in the host: a whole device with its request queue, or a partition that forwards to its
 * disk's queue at an offset, so the disk's boot-area guard still applies to it.
 */
final class LogicalUnit {
    final String name;
    final String module;
    /** The module that registered it: opening the LU pins this very module. */
    final ModuleSite owner;
    final long size;
    final int logicalBlockSize;
    final int physicalBlockSize;
    final int caps;
    final AtomicLong bootGuard;
    final IoStats stats = new IoStats();
    /** Whole devices: the queue; partitions: null. */
    final RequestQueue queue;
    /** Partitions: their disk and entry; whole devices: null. */
    final LogicalUnit disk;
    final Partition partition;
    /** Whole devices: the last scan (null before the first). */
    volatile PartitionTable table;
    volatile boolean removed;
    private final Map<String, Integer> holders = new TreeMap<>();
    /** Whole devices: the driver's hole map, or null; partitions: null (the disk's serves). */
    private final BlockExtents extents;
    private final Consumer<String> warn;

    /** What a driver declared about a whole device, checked. */
    record Geometry(String name, long size, int lbs, int pbs, int caps, long guard) {}

    /** A whole device served by {@code driver}, with holes reported by {@code extents} (null: all data). */
    LogicalUnit(ModuleSite owner, Geometry g, BlockQueueDriver driver, BlockExtents extents,
            java.util.function.LongSupplier timeoutMs, Consumer<String> warn, RequestQueue.WriteWatcher watcher) {
        this.name = g.name();
        this.owner = owner;
        this.module = owner.name();
        this.size = g.size();
        this.logicalBlockSize = g.lbs();
        this.physicalBlockSize = g.pbs();
        this.caps = g.caps();
        this.bootGuard = new AtomicLong(g.guard());
        this.disk = null;
        this.partition = null;
        this.extents = extents;
        this.warn = warn;
        this.queue = new RequestQueue(name, this.module, timeoutMs, driver, size, g.lbs(), caps, bootGuard::get, stats, warn, watcher);
    }

    /** A partition of {@code disk}. */
    LogicalUnit(String name, LogicalUnit disk, Partition partition) {
        this.name = name;
        this.owner = disk.owner;
        this.module = disk.module;
        this.size = partition.length();
        this.logicalBlockSize = disk.logicalBlockSize;
        this.physicalBlockSize = disk.physicalBlockSize;
        this.caps = disk.caps;
        this.bootGuard = disk.bootGuard;
        this.disk = disk;
        this.partition = partition;
        this.queue = null;
        this.extents = null;
        this.warn = disk.warn;
    }

    boolean isPartition() {
        return disk != null;
    }

    /** The guard as it applies to this LU's own offsets: the disk's guard less the partition's start. */
    long effectiveGuard() {
        long g = bootGuard.get();
        return isPartition() ? Math.max(0, g - partition.start()) : g;
    }

    boolean readOnly() {
        return (caps & BlockDevice.READ_ONLY) != 0;
    }

    /** Submits a request in this LU's offsets; {@code done} gets the status once. */
    void submit(BlockOp op, long offset, long length, int flags, MemorySegment data, IntConsumer done) {
        if (!isPartition()) {
            queue.submit(op, offset, length, flags, data, done);
            return;
        }
        stats.started();
        long t0 = System.nanoTime();
        IntConsumer finish = st -> {
            stats.completed(op, length, st, System.nanoTime() - t0);
            done.accept(st);
        };
        if (removed) {
            finish.accept(BlockStatus.ENODEV);
        } else if (op == BlockOp.FLUSH) {
            disk.queue.submit(op, 0, 0, flags, data, finish);
        } else if (offset < 0 || length <= 0 || length > size - offset) {
            finish.accept(BlockStatus.EINVAL); // checked here: the disk would accept a range past the partition
        } else {
            disk.queue.submit(op, partition.start() + offset, length, flags, data, finish);
        }
    }

    /** A buffer the disk's driver lends for a request of {@code bytes} ({@link BufferLender}), or null. */
    BufferLender.Loan lend(long bytes) {
        return removed ? null : isPartition() ? disk.lend(bytes) : queue.lend(bytes);
    }

    /** The disk's driver, if other threads may reap its completions ({@link SharedReaping}), else null. */
    SharedReaping reaping() {
        return removed ? null : isPartition() ? disk.reaping() : queue.reaping();
    }

    /**
     * Reports the allocation of {@code [offset, offset + length)} in this LU's offsets as runs from
     * {@code offset}: the driver's answer, checked (a driver that reports nothing, too much or
     * throws fails the request with EIO and is logged), or all data without a hole map.
     */
    int extents(long offset, long length, BlockExtents.Runs out) {
        if (removed) {
            return BlockStatus.ENODEV;
        }
        if (offset < 0 || length <= 0 || length > size - offset) {
            return BlockStatus.EINVAL;
        }
        if (isPartition()) {
            return disk.extents(partition.start() + offset, length, out);
        }
        if (extents == null) {
            out.add(length, 0);
            return BlockStatus.OK;
        }
        CheckedRuns runs = new CheckedRuns(length, out);
        int status;
        try {
            status = extents.extents(offset, length, runs);
        } catch (RuntimeException e) {
            warn.accept(name + ": driver " + module + " failed reporting extents at " + offset + "+" + length + ": " + e);
            return BlockStatus.EIO;
        }
        if (status == BlockStatus.OK && runs.reported == 0) {
            warn.accept(name + ": driver " + module + " reported no extents at " + offset + "+" + length);
            return BlockStatus.EIO;
        }
        return status;
    }

    /** A driver's runs, refused if empty or past the range asked for, so a bad driver cannot mislead a client. */
    private static final class CheckedRuns implements BlockExtents.Runs {
        private final BlockExtents.Runs out;
        private long left;
        int reported;

        CheckedRuns(long length, BlockExtents.Runs out) {
            this.left = length;
            this.out = out;
        }

        @Override
        public void add(long length, int flags) {
            if (length <= 0 || length > left) {
                throw new IllegalArgumentException("a run of " + length + " bytes where " + left + " were left to report");
            }
            if ((flags & ~(BlockExtents.HOLE | BlockExtents.ZERO)) != 0) {
                throw new IllegalArgumentException("unknown run flags 0x" + Integer.toHexString(flags));
            }
            left -= length;
            reported++;
            out.add(length, flags);
        }
    }

    synchronized void open(String holder) {
        holders.merge(holder, 1, Integer::sum);
    }

    synchronized boolean close(String holder) {
        Integer n = holders.get(holder);
        if (n == null) {
            return false;
        }
        if (n == 1) {
            holders.remove(holder);
        } else {
            holders.put(holder, n - 1);
        }
        return true;
    }

    synchronized int openCount() {
        return holders.values().stream().mapToInt(Integer::intValue).sum();
    }

    synchronized Map<String, Integer> holders() {
        return Map.copyOf(holders);
    }
}

package dev.jdm.host.block;

import dev.jdm.abi.blk.BlockDevice;
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

    /** A whole device served by {@code driver}. */
    LogicalUnit(String name, ModuleSite owner, long size, int lbs, int pbs, int caps, long guard, BlockQueueDriver driver,
            java.util.function.LongSupplier timeoutMs, Consumer<String> warn, RequestQueue.WriteWatcher watcher) {
        this.name = name;
        this.owner = owner;
        this.module = owner.name();
        this.size = size;
        this.logicalBlockSize = lbs;
        this.physicalBlockSize = pbs;
        this.caps = caps;
        this.bootGuard = new AtomicLong(guard);
        this.disk = null;
        this.partition = null;
        this.queue = new RequestQueue(name, this.module, timeoutMs, driver, size, lbs, caps, bootGuard::get, stats, warn, watcher);
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

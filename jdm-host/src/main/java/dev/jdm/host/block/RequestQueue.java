package dev.jdm.host.block;

import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockBatch;
import dev.jdm.abi.blk.BlockQueueDriver;
import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * The request path of one whole device: checks (alignment, bounds, read-only, boot-area guard),
 * capability emulation, merging of adjacent queued requests, flush ordering, dispatch to the
 * driver, and completion with accounting.
 *
 * <p>Dispatch runs on the submitting threads (no queue thread): up to {@link #MAX_DISPATCHERS}
 * callers issue requests concurrently; a caller arriving when all are busy only enqueues, and its
 * request is picked up, possibly merged with its neighbours, by a busy dispatcher. So merging
 * happens exactly when requests actually wait, as with the Linux plug/elevator.
 *
 * <p>Flush ordering: every write (also write-zeroes, discard) gets a sequence number when it is
 * submitted; a FLUSH with sequence {@code s} reaches the driver only once no write with a smaller
 * sequence is outstanding. It therefore covers every write that completed before it was submitted
 * (the Linux REQ_PREFLUSH contract and the NBD spec's "NBD_CMD_FLUSH" section), and more.
 *
 * <p>A dispatcher hands the driver everything that waits, up to {@link #MAX_BATCH} (merged)
 * requests in one {@code BlockQueueDriver.submit}; flushes go on their own when their epoch drains.
 * A {@link Plug plugged} caller only enqueues, and dispatches when it finishes its plug.
 *
 * <p>A request the driver holds beyond {@code blk.request_timeout_ms} fails with ETIMEDOUT
 * ({@link RequestTimeouts}); it then leaves its flush epoch as a failed write does. Its buffer may
 * still be touched by the driver, so a caller must not reuse the buffer of a failed request.
 */
final class RequestQueue {
    /** Most callers issuing to the driver at once. */
    static final int MAX_DISPATCHERS = 8;
    /** Largest merged request (the queue's max_sectors). */
    static final long MAX_MERGE_BYTES = 1L << 20;
    /** Most requests folded into one. */
    static final int MAX_MERGE_PARTS = 64;
    /** How far into the queue a dispatcher looks for neighbours. */
    static final int MERGE_SCAN = 64;
    /** Most requests handed to the driver in one batch. */
    static final int MAX_BATCH = 32;
    private static final long ZERO_CHUNK = 1L << 20;

    /** Told about each completed write-like request, to notice partition table changes. */
    interface WriteWatcher {
        void written(long offset, long length);
    }

    private final String name;
    private final BlockQueueDriver driver;
    private final long size;
    private final int blockSize;
    private final int caps;
    private final LongSupplier guard;
    private final IoStats stats;
    private final Consumer<String> warn;
    private final WriteWatcher watcher;

    private final Object lock = new Object();
    private final ArrayDeque<HostBlockRequest> pending = new ArrayDeque<>();
    /**
     * Flush ordering by epochs: each FLUSH closes the current epoch, and may go once every write of
     * its epoch and all earlier ones has completed. A write only counts itself into the open
     * epoch, so the ordering costs no allocation and no search per request. Oldest epoch first;
     * the last is the open one.
     */
    private final ArrayDeque<Epoch> epochs = new ArrayDeque<>(List.of(new Epoch()));

    /** Writes in flight that were submitted before {@code flush}, and the flush that closed the epoch (null while open). */
    static final class Epoch {
        int writes;
        HostBlockRequest flush;
    }
    private int dispatchers;
    private volatile boolean removed;
    private final AtomicLong outstanding = new AtomicLong();
    private final RequestTimeouts timeouts;

    /** A queue without a request timeout. */
    RequestQueue(String name, BlockQueueDriver driver, long size, int blockSize, int caps, LongSupplier guard, IoStats stats,
            Consumer<String> warn, WriteWatcher watcher) {
        this(name, "?", () -> 0, driver, size, blockSize, caps, guard, stats, warn, watcher);
    }

    /** A queue whose requests fail with ETIMEDOUT once {@code driverName}'s driver holds one for {@code timeoutMs}. */
    RequestQueue(String name, String driverName, LongSupplier timeoutMs, BlockQueueDriver driver, long size, int blockSize, int caps,
            LongSupplier guard, IoStats stats, Consumer<String> warn, WriteWatcher watcher) {
        this.timeouts = new RequestTimeouts(name, driverName, timeoutMs, warn);
        this.name = name;
        this.driver = driver;
        this.size = size;
        this.blockSize = blockSize;
        this.caps = caps;
        this.guard = guard;
        this.stats = stats;
        this.warn = warn;
        this.watcher = watcher;
    }

    /**
     * Submits a request; {@code done} receives its status exactly once (possibly on this thread,
     * before this method returns). Offsets are the whole device's.
     */
    void submit(BlockOp op, long offset, long length, int flags, MemorySegment data, IntConsumer done) {
        stats.started();
        long t0 = System.nanoTime();
        IntConsumer finish = status -> {
            stats.completed(op, length, status, System.nanoTime() - t0);
            done.accept(status);
        };
        int bad = removed ? BlockStatus.ENODEV : check(op, offset, length, flags, data);
        if (bad != BlockStatus.OK) {
            finish.accept(bad);
            return;
        }
        switch (op) {
            case FLUSH -> {
                if ((caps & BlockDevice.FLUSH) == 0) {
                    finish.accept(BlockStatus.OK); // no volatile cache: nothing to make durable
                } else {
                    issueInternal(op, 0, 0, 0, null, finish);
                }
            }
            case DISCARD -> {
                if ((caps & BlockDevice.DISCARD) == 0) {
                    finish.accept(BlockStatus.OK); // advisory: the data may stay
                } else {
                    issueInternal(op, offset, length, 0, null, finish);
                }
            }
            case WRITE_ZEROES -> {
                if ((flags & BlockRequest.FAST_ZERO) != 0 && (caps & BlockDevice.FAST_ZERO) == 0) {
                    finish.accept(BlockStatus.EOPNOTSUPP); // NBD spec: NBD_CMD_FLAG_FAST_ZERO
                } else if ((caps & BlockDevice.WRITE_ZEROES) == 0) {
                    zeroFill(offset, offset + length, flags & BlockRequest.FUA, finish);
                } else {
                    writeWithFua(op, offset, length, flags, null, finish);
                }
            }
            case WRITE -> writeWithFua(op, offset, length, flags & BlockRequest.FUA, data, finish);
            case READ -> issueInternal(op, offset, length, 0, data, finish);
        }
    }

    private int check(BlockOp op, long offset, long length, int flags, MemorySegment data) {
        if (op == BlockOp.FLUSH) {
            return offset == 0 && length == 0 ? BlockStatus.OK : BlockStatus.EINVAL;
        }
        if (offset < 0 || length <= 0 || length > size - offset || offset % blockSize != 0 || length % blockSize != 0) {
            return BlockStatus.EINVAL;
        }
        if ((op == BlockOp.READ || op == BlockOp.WRITE) && (data == null || data.byteSize() != length)) {
            return BlockStatus.EINVAL;
        }
        boolean writes = op != BlockOp.READ;
        if (writes && (caps & BlockDevice.READ_ONLY) != 0) {
            return BlockStatus.EROFS;
        }
        if (writes && offset < guard.getAsLong()) {
            return BlockStatus.EPERM; // LxDM: no writes below the boot-area guard
        }
        return BlockStatus.OK;
    }

    /** FUA without driver support becomes write-then-flush; without a cache it is already durable. */
    private void writeWithFua(BlockOp op, long offset, long length, int flags, MemorySegment data, IntConsumer finish) {
        boolean fua = (flags & BlockRequest.FUA) != 0;
        if (!fua || (caps & BlockDevice.FUA) != 0) {
            issueInternal(op, offset, length, flags, data, finish);
        } else if ((caps & BlockDevice.FLUSH) == 0) {
            issueInternal(op, offset, length, flags & ~BlockRequest.FUA, data, finish);
        } else {
            issueInternal(op, offset, length, flags & ~BlockRequest.FUA, data, st -> {
                if (st != BlockStatus.OK) {
                    finish.accept(st);
                } else {
                    issueInternal(BlockOp.FLUSH, 0, 0, 0, null, finish);
                }
            });
        }
    }

    /** WRITE_ZEROES for a driver without it: zero buffers written one chunk after another. */
    private void zeroFill(long from, long to, int fua, IntConsumer finish) {
        if (from >= to) {
            finish.accept(BlockStatus.OK);
            return;
        }
        long n = Math.min(ZERO_CHUNK, to - from);
        MemorySegment zeroes = Buffers.allocate(n);
        writeWithFua(BlockOp.WRITE, from, n, fua, zeroes, st -> {
            if (st != BlockStatus.OK) {
                finish.accept(st);
            } else {
                zeroFill(from + n, to, fua, finish);
            }
        });
    }

    /** Queues a checked request; writes and flushes take part in flush ordering. */
    private void issueInternal(BlockOp op, long offset, long length, int flags, MemorySegment data, IntConsumer finish) {
        outstanding.incrementAndGet();
        HostBlockRequest[] self = new HostBlockRequest[1];
        HostBlockRequest r = new HostBlockRequest(op, offset, length, flags, data, st -> completed(self[0], st, finish));
        self[0] = r;
        boolean dispatchNow = false;
        synchronized (lock) {
            if (op == BlockOp.FLUSH) {
                Epoch open = epochs.peekLast();
                if (epochs.size() == 1 && open.writes == 0) {
                    dispatchNow = true;
                } else {
                    open.flush = r;
                    epochs.addLast(new Epoch());
                }
            } else {
                if (r.isWrite()) {
                    r.epoch = epochs.peekLast();
                    r.epoch.writes++;
                }
                pending.add(r);
                if (!(length < Plug.MAX_HELD_BYTES && Plug.hold(this)) && dispatchers < MAX_DISPATCHERS) {
                    dispatchers++;
                    dispatchNow = true;
                }
            }
        }
        if (op == BlockOp.FLUSH) {
            if (dispatchNow) {
                issue(r);
            }
        } else if (dispatchNow) {
            dispatchLoop();
        }
    }

    private void completed(HostBlockRequest r, int status, IntConsumer finish) {
        timeouts.done(r);
        List<HostBlockRequest> ready = List.of();
        if (r.isWrite()) {
            synchronized (lock) {
                r.epoch.writes--;
                // closed epochs that have drained, oldest first, release their flushes
                while (epochs.size() > 1 && epochs.peekFirst().writes == 0) {
                    if (ready.isEmpty()) {
                        ready = new ArrayList<>();
                    }
                    ready.add(epochs.pollFirst().flush);
                }
            }
            if (status == BlockStatus.OK) {
                watcher.written(r.offset(), r.length());
            }
        }
        outstanding.decrementAndGet();
        try {
            finish.accept(status);
        } finally {
            ready.forEach(this::issue);
        }
    }

    /**
     * A plugged thread finished ({@link Plug}): dispatches what it left waiting, unless every
     * dispatcher is busy, in which case they take it (they loop until the queue is empty).
     */
    void unplugged() {
        synchronized (lock) {
            if (pending.isEmpty() || dispatchers >= MAX_DISPATCHERS) {
                return;
            }
            dispatchers++;
        }
        dispatchLoop();
    }

    private void dispatchLoop() {
        while (true) {
            HostBlockRequest first;
            List<HostBlockRequest> batch = null;
            synchronized (lock) {
                first = next();
                if (first == null) {
                    dispatchers--;
                    return;
                }
                while (!pending.isEmpty() && (batch == null || batch.size() < MAX_BATCH)) {
                    if (batch == null) {
                        batch = new ArrayList<>();
                        batch.add(first);
                    }
                    batch.add(next());
                }
            }
            issue(batch == null ? first : new RequestBatch(batch));
        }
    }

    /** The head of the queue merged with its waiting neighbours, or null if none waits. Under the lock. */
    private HostBlockRequest next() {
        HostBlockRequest head = pending.poll();
        if (head == null) {
            return null;
        }
        List<HostBlockRequest> parts = neighbours(head);
        if (parts == null) {
            return head;
        }
        stats.merged(parts.size());
        return Merge.of(parts);
    }

    /** Queued requests that extend {@code head} contiguously (same op and flags), removed from the queue; null if none. */
    private List<HostBlockRequest> neighbours(HostBlockRequest head) {
        if (head.op() == BlockOp.FLUSH || pending.isEmpty()) {
            return null;
        }
        List<HostBlockRequest> parts = null;
        long start = head.offset();
        long end = head.end();
        boolean grew = true;
        while (grew && (parts == null || parts.size() < MAX_MERGE_PARTS)) {
            grew = false;
            int scanned = 0;
            for (Iterator<HostBlockRequest> it = pending.iterator(); it.hasNext() && scanned++ < MERGE_SCAN; ) {
                HostBlockRequest c = it.next();
                if (c.op() != head.op() || c.flags() != head.flags() || end - start + c.length() > MAX_MERGE_BYTES) {
                    continue;
                }
                if (c.offset() == end || c.end() == start) {
                    if (parts == null) {
                        parts = new ArrayList<>();
                        parts.add(head);
                    }
                    parts.add(c);
                    it.remove();
                    start = Math.min(start, c.offset());
                    end = Math.max(end, c.end());
                    grew = true;
                    if (parts.size() >= MAX_MERGE_PARTS) {
                        break;
                    }
                }
            }
        }
        return parts;
    }

    /** A buffer the driver lends for a request of {@code bytes} ({@link BufferLender}), or null. */
    BufferLender.Loan lend(long bytes) {
        return !removed && driver instanceof BufferLender l ? l.lend(bytes) : null;
    }

    /** The driver, if other threads may reap its completions ({@link SharedReaping}), else null. */
    SharedReaping reaping() {
        return !removed && driver instanceof SharedReaping r ? r : null;
    }

    /** Hands a batch (or one request, its own batch) to the driver; a throw fails what it left open. */
    private void issue(BlockBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            timeouts.issued((HostBlockRequest) batch.get(i));
        }
        try {
            driver.submit(batch);
        } catch (RuntimeException | Error e) {
            warn.accept(name + ": driver failed " + batch.size() + " request(s) from " + batch.get(0) + ": " + e);
            for (int i = 0; i < batch.size(); i++) {
                HostBlockRequest r = (HostBlockRequest) batch.get(i);
                if (!r.isCompleted()) {
                    r.complete(BlockStatus.EIO);
                }
            }
        }
    }

    /** Refuses new requests (ENODEV) and waits up to {@code millis} for those in flight. */
    boolean drain(long millis) {
        removed = true;
        timeouts.stop();
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (outstanding.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return outstanding.get() == 0;
    }
}

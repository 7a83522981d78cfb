package dev.jdm.host.block;

import dev.jdm.abi.blk.BlockBatch;
import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockRequest;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The host's request: what a driver sees through {@link BlockRequest}, plus the completion hook.
 * Completion runs once; a second {@code complete} throws, except after the request timed out
 * ({@link #expire}), when the driver's late completion is ignored. A request is also the
 * batch of itself alone, so a request issued on its own costs no batch object.
 */
final class HostBlockRequest implements BlockRequest, BlockBatch {
    /** Linux's default best-effort I/O priority level. */
    static final int DEFAULT_PRIORITY = 4;

    private final BlockOp op;
    private final long offset;
    private final long length;
    private final int flags;
    private final MemorySegment data;
    private final IntConsumer done;
    private static final int OPEN = 0;
    private static final int COMPLETED = 1;
    private static final int EXPIRED = 2;
    private final AtomicInteger state = new AtomicInteger(OPEN);
    final long startNanos = System.nanoTime();
    /** The flush epoch a write counts in (see {@code RequestQueue.Epoch}); null for other requests. */
    RequestQueue.Epoch epoch;

    HostBlockRequest(BlockOp op, long offset, long length, int flags, MemorySegment data, IntConsumer done) {
        this.op = op;
        this.offset = offset;
        this.length = length;
        this.flags = flags;
        this.data = data == null ? MemorySegment.NULL : data;
        this.done = done;
    }

    @Override
    public BlockOp op() {
        return op;
    }

    @Override
    public long offset() {
        return offset;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public int flags() {
        return flags;
    }

    @Override
    public MemorySegment data() {
        return data;
    }

    @Override
    public long submitNanos() {
        return startNanos;
    }

    @Override
    public int priority() {
        return DEFAULT_PRIORITY;
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public BlockRequest get(int index) {
        if (index != 0) {
            throw new IndexOutOfBoundsException("index " + index + " of a batch of 1");
        }
        return this;
    }

    long end() {
        return offset + length;
    }

    boolean isWrite() {
        return op == BlockOp.WRITE || op == BlockOp.WRITE_ZEROES || op == BlockOp.DISCARD;
    }

    /** A copy of this request with another range, flags, data or completion. */
    HostBlockRequest with(long newOffset, long newLength, int newFlags, MemorySegment newData, IntConsumer newDone) {
        return new HostBlockRequest(op, newOffset, newLength, newFlags, newData, newDone);
    }

    @Override
    public void complete(int status) {
        if (!state.compareAndSet(OPEN, COMPLETED)) {
            if (state.get() == EXPIRED) {
                return; // the host failed it at its timeout; the caller has its answer and has moved on
            }
            throw new IllegalStateException("request " + op + " @" + offset + "+" + length + " completed twice");
        }
        done.accept(status);
    }

    /**
     * Completes the request with {@code status} on the host's behalf, unless the driver already
     * did; a later {@link #complete} by the driver is then ignored.
     *
     * @return true if this call completed it
     */
    boolean expire(int status) {
        if (!state.compareAndSet(OPEN, EXPIRED)) {
            return false;
        }
        done.accept(status);
        return true;
    }

    boolean isCompleted() {
        return state.get() != OPEN;
    }

    @Override
    public String toString() {
        return op + " @" + offset + "+" + length + (flags != 0 ? " flags=" + flags : "");
    }
}

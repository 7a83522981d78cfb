package dev.jdm.abi.blk;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;
import java.lang.foreign.MemorySegment;

/**
 * One I/O request handed to {@link BlockDriver#submit} or, in a {@link BlockBatch}, to
 * {@link BlockQueueDriver#submit}. The host implements it; a later ABI
 * generation may add accessors (compatible for a provided type) but never changes these.
 */
@Provided
public interface BlockRequest {
    /** Flag: the write (or write-zeroes) is durable when it completes (forced unit access). */
    int FUA = 1;
    /** Flag on {@link BlockOp#WRITE_ZEROES}: keep the range allocated. */
    int NO_UNMAP = 2;
    /** Flag on {@link BlockOp#WRITE_ZEROES}: fail with {@link BlockStatus#EOPNOTSUPP} rather than write slowly. */
    int FAST_ZERO = 4;

    /** The operation. */
    BlockOp op();

    /** Byte offset into the LU; a multiple of the logical block size. */
    long offset();

    /** Length in bytes; a multiple of the logical block size (0 for FLUSH). */
    long length();

    /** {@link #FUA}, {@link #NO_UNMAP}, {@link #FAST_ZERO}, or'ed. */
    int flags();

    /**
     * The data: {@code length} bytes to fill (READ) or to write (WRITE); a zero-length segment for
     * other operations. Valid only until {@link #complete} is called.
     */
    MemorySegment data();

    /**
     * When the host accepted the request, in {@link System#nanoTime()} units: the start of its
     * latency as the client sees it, for a driver that schedules or times out by age.
     */
    @Since("JDM_1.1")
    long submitNanos();

    /**
     * The request's I/O priority within its class, as Linux's best-effort {@code ioprio} levels:
     * 0 is the most urgent, 7 the least, 4 the default. Advisory: a driver may ignore it.
     */
    @Since("JDM_1.1")
    int priority();

    /**
     * Completes the request with {@link BlockStatus#OK} or an errno from {@link BlockStatus}.
     *
     * @throws IllegalStateException if it was already completed (the first status stands)
     */
    void complete(int status);
}

package dev.jdm.abi.blk;

import dev.jdm.abi.Implemented;
import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/**
 * What a driver knows about which parts of its LU hold data, for clients that copy or map a disk
 * (NBD's {@code base:allocation}, {@code nbdinfo --map}, {@code qemu-img map}, sparse copies).
 * Registered with {@link BlockDevice.Builder#extents}; an LU without it reports all of itself as
 * data, which is always true, if coarse.
 *
 * <p>Called on the host's threads, concurrently with I/O: the answer may be stale by the time it
 * arrives, as it may on any disk, but must never call data a hole that was written before the call.
 */
@Implemented
@FunctionalInterface
@Since("JDM_1.2")
public interface BlockExtents {
    /** Run flag: the range is not allocated (a hole). */
    int HOLE = 1;
    /** Run flag: the range reads as zeroes. */
    int ZERO = 2;

    /**
     * Describes {@code [offset, offset + length)}, a range inside the LU, as consecutive runs from
     * {@code offset}: one {@link Runs#add} per run, at least one, and no more than the range. It may
     * stop early; the client asks again for the rest.
     *
     * @return {@link BlockStatus#OK}, or an errno (the client's request then fails with it)
     */
    int extents(long offset, long length, Runs out);

    /** Where a driver reports its runs. */
    @Provided
    @Since("JDM_1.2")
    interface Runs {
        /**
         * The next run: {@code length} bytes (positive, a multiple of the logical block size except
         * at the LU's end) with {@link #HOLE} and {@link #ZERO} or'ed, or 0 for data.
         *
         * @throws IllegalArgumentException if the run is empty or reaches past the range asked for
         */
        void add(long length, int flags);
    }
}

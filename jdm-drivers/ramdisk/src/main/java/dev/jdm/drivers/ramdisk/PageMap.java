package dev.jdm.drivers.ramdisk;

import dev.jdm.abi.blk.BlockExtents;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which 4 KiB pages of the RAM disk were ever written, one bit each, so holes can be reported
 * ({@link BlockExtents}): a page is data once any byte of it is written, and a hole again once
 * write-zeroes or discard cover all of it. Lock-free, as writes on many threads set bits at once.
 */
final class PageMap implements BlockExtents {
    private static final int PAGE = 4096;
    private final AtomicLongArray bits;

    PageMap(long size) {
        this.bits = new AtomicLongArray((int) ((size / PAGE + 63) / 64));
    }

    /** Bytes in {@code [offset, offset + length)} were written. */
    void written(long offset, long length) {
        for (long p = offset / PAGE, last = (offset + length - 1) / PAGE; p <= last; p++) {
            long bit = 1L << p;
            if ((bits.getPlain((int) (p >>> 6)) & bit) == 0) {
                bits.accumulateAndGet((int) (p >>> 6), bit, (w, b) -> w | b);
            }
        }
    }

    /** {@code [offset, offset + length)} reads as zeroes now: the pages it covers whole are holes again. */
    void zeroed(long offset, long length) {
        for (long p = (offset + PAGE - 1) / PAGE, end = (offset + length) / PAGE; p < end; p++) {
            bits.accumulateAndGet((int) (p >>> 6), ~(1L << p), (w, b) -> w & b);
        }
    }

    private boolean data(long page) {
        return (bits.get((int) (page >>> 6)) & (1L << page)) != 0;
    }

    @Override
    public int extents(long offset, long length, Runs out) {
        long end = offset + length;
        long pos = offset;
        while (pos < end) {
            boolean data = data(pos / PAGE);
            long runEnd = Math.min(end, (pos / PAGE + 1) * PAGE);
            while (runEnd < end && data(runEnd / PAGE) == data) {
                runEnd = Math.min(end, runEnd + PAGE);
            }
            out.add(runEnd - pos, data ? 0 : HOLE | ZERO);
            pos = runEnd;
        }
        return 0;
    }
}

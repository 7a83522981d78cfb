package dev.jdm.dde.nbdkit;

import dev.jdm.abi.blk.BlockStatus;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code struct nbdkit_extents} of one {@code .extents} call, kept in Java: the plugin only
 * ever sees an opaque pointer ({@link #token}) and adds to it through {@code nbdkit_add_extent}.
 * The rules are nbdkit-plugin(3)'s: extents ascending and contiguous, zero-length ones ignored,
 * those before the range dropped and the first clipped to its start, the last clipped to its end,
 * neighbours of the same type merged.
 */
final class ExtentCollector {
    /** nbdkit's cap on one reply's list; the rest is asked for again by the client. */
    static final int MAX_EXTENTS = 1024 * 1024;

    final MemorySegment token;
    private final long start;
    private final long end;
    private long next = -1;
    private final List<Extent> extents = new ArrayList<>();
    private long runOffset;
    private long runLength;
    private int runType = -1;

    ExtentCollector(MemorySegment token, long start, long end) {
        this.token = token;
        this.start = start;
        this.end = end;
    }

    /** 0, or an errno after reporting why through state (as nbdkit_error would). */
    int add(CallState state, long offset, long length, int type) {
        if (next != -1 && offset != next) {
            return refuse(state, "nbdkit_add_extent: extents must be added in ascending order and must be contiguous");
        }
        if (next == -1 && Long.compareUnsigned(offset, start) > 0) {
            return refuse(state, "nbdkit_add_extent: the first extent must not start after the requested offset " + start);
        }
        if ((type & ~(Extent.HOLE | Extent.ZERO)) != 0) {
            return refuse(state, "nbdkit_add_extent: unknown extent type " + type);
        }
        next = offset + length;
        if (length == 0 || Long.compareUnsigned(offset, end) >= 0 || count() >= MAX_EXTENTS) {
            return 0;
        }
        long from = Math.max(offset, start);
        long to = Long.compareUnsigned(offset + length, end) > 0 ? end : offset + length;
        if (Long.compareUnsigned(to, from) <= 0) {
            return 0;
        }
        if (type == runType) {
            runLength += to - from;
        } else {
            flushRun();
            runOffset = from;
            runLength = to - from;
            runType = type;
        }
        return 0;
    }

    private int count() {
        return extents.size() + (runType == -1 ? 0 : 1);
    }

    private void flushRun() {
        if (runType != -1) {
            extents.add(Extent.of(runOffset, runLength, runType));
        }
    }

    private static int refuse(CallState state, String why) {
        Upcalls.error(state, why);
        return BlockStatus.EINVAL;
    }

    /** The list once the callback has returned; empty if the plugin added nothing in range. */
    List<Extent> result() {
        flushRun();
        runType = -1;
        return List.copyOf(extents);
    }
}

package dev.jdm.host.block;

import dev.jdm.abi.blk.BlockOp;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Folds contiguous requests of one kind into one: writes are gathered into one buffer, reads
 * scattered back from one on completion; every part completes with the merged status.
 */
final class Merge {
    private Merge() {}

    static HostBlockRequest of(List<HostBlockRequest> parts) {
        List<HostBlockRequest> sorted = new ArrayList<>(parts);
        sorted.sort(Comparator.comparingLong(HostBlockRequest::offset));
        HostBlockRequest first = sorted.getFirst();
        long start = first.offset();
        long length = sorted.getLast().end() - start;
        BlockOp op = first.op();
        MemorySegment buffer = op == BlockOp.READ || op == BlockOp.WRITE ? Buffers.allocate(length) : null;
        if (op == BlockOp.WRITE) {
            for (HostBlockRequest p : sorted) {
                MemorySegment.copy(p.data(), 0, buffer, p.offset() - start, p.length());
            }
        }
        return first.with(start, length, first.flags(), buffer, status -> {
            for (HostBlockRequest p : sorted) {
                if (status == 0 && op == BlockOp.READ) {
                    MemorySegment.copy(buffer, p.offset() - start, p.data(), 0, p.length());
                }
                p.complete(status);
            }
        });
    }
}

package dev.jdm.bench;

import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.block.BlockRegistry;
import dev.jdm.host.log.LogRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** What the block benchmarks share: a block layer of their own, a memory disk, and per-thread 4 KiB buffers. */
public final class BenchDisks {
    static final long SIZE = 64 << 20;

    private BenchDisks() {}

    /** A block layer whose LUs pin nothing. */
    static BlockRegistry registry() {
        return new BlockRegistry(new LogRing(64, null, () -> 0));
    }

    /** Serves a request from {@code disk} at once: the bare copy a memory driver does. */
    static void serve(MemorySegment disk, BlockRequest r) {
        MemorySegment range = disk.asSlice(r.offset(), r.length());
        if (r.op() == BlockOp.READ) {
            r.data().copyFrom(range);
        } else if (r.op() == BlockOp.WRITE) {
            range.copyFrom(r.data());
        }
        r.complete(BlockStatus.OK);
    }

    /** A thread's 4 KiB buffer and the next offset, striding past the boot guard so no write is refused. */
    @State(Scope.Thread)
    public static class Buffer {
        final MemorySegment buf = Arena.ofAuto().allocate(4096, 4096);
        long next = 0x10000;

        long offset() {
            next += 4096 * 7;
            if (next + 4096 > SIZE) {
                next = 0x10000;
            }
            return next;
        }
    }
}

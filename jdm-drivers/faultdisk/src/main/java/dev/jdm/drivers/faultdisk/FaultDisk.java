package dev.jdm.drivers.faultdisk;

import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.DriverModule;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.Param;
import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.abi.mem.Kmem;
import java.lang.foreign.MemorySegment;

/**
 * A RAM disk that fails requests touching chosen byte ranges, as Linux's dm-error and null_blk's
 * fault injection do: for testing what sits on the block layer (the wiper's honest failure
 * report, an export's error replies) against a device that really returns errors. A failed write
 * changes nothing; FLUSH always succeeds.
 */
@DriverModule(name = "faultdisk", version = "1.0", license = "GPL", author = "jdm developers",
        description = "RAM disk that fails reads or writes in chosen byte ranges (fault injection)")
@Param(name = "size", type = Param.Type.LONG, defaultValue = "64M", description = "size in bytes (K, M, G suffixes), a multiple of 4096")
@Param(name = "name", defaultValue = "fault0", description = "LU name")
@Param(name = "fail_write", defaultValue = "", description = "writes, write-zeroes and discards touching OFFSET+LENGTH fail (K, M, G suffixes); empty: none")
@Param(name = "fail_read", defaultValue = "", description = "reads touching OFFSET+LENGTH fail; empty: none")
@Param(name = "stall_read", defaultValue = "", description = "reads touching OFFSET+LENGTH are never completed, as by a driver that stopped answering; empty: none")
@Param(name = "errno", type = Param.Type.LONG, defaultValue = "5", description = "status of a failed request (5: EIO)")
public final class FaultDisk implements LoadableModule {
    private final ModuleContext ctx;
    private final MemorySegment memory;
    private final BlockDevice device;
    private final Range failWrite;
    private final Range failRead;
    private final Range stallRead;
    private final int errno;

    /** A byte range {@code [start, end)}; empty when end is 0. */
    record Range(long start, long end) {
        static Range parse(String text, String param) {
            if (text.isBlank()) {
                return new Range(0, 0);
            }
            String[] p = text.strip().split("\\+");
            if (p.length != 2) {
                throw new IllegalArgumentException(param + "=" + text + " is not OFFSET+LENGTH");
            }
            long start = bytes(p[0], param);
            long length = bytes(p[1], param);
            if (start < 0 || length <= 0) {
                throw new IllegalArgumentException(param + "=" + text + " needs an offset >= 0 and a length > 0");
            }
            return new Range(start, start + length);
        }

        boolean overlaps(long offset, long length) {
            return end > 0 && offset < end && offset + length > start;
        }
    }

    public FaultDisk(ModuleContext ctx) {
        this.ctx = ctx;
        long size = ctx.params().longValue("size");
        if (size <= 0 || size % Kmem.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("size=" + size + " is not a positive multiple of " + Kmem.PAGE_SIZE);
        }
        failWrite = Range.parse(ctx.params().string("fail_write"), "fail_write");
        failRead = Range.parse(ctx.params().string("fail_read"), "fail_read");
        stallRead = Range.parse(ctx.params().string("stall_read"), "stall_read");
        long e = ctx.params().longValue("errno");
        if (e <= 0 || e >= 4096) {
            throw new IllegalArgumentException("errno=" + e + " is not an errno (1..4095)");
        }
        errno = (int) e;
        memory = ctx.kmem().vmalloc(size);
        try {
            device = ctx.block().device(ctx.params().string("name")).size(size).logicalBlockSize(512).physicalBlockSize(Kmem.PAGE_SIZE)
                    .capabilities(BlockDevice.WRITE_ZEROES | BlockDevice.DISCARD).register(this::submit);
        } catch (RuntimeException ex) {
            ctx.kmem().vfree(memory);
            throw ex;
        }
        ctx.log().info(device.name() + ": " + (size >> 20) + " MiB, failing writes " + describe(failWrite) + ", reads " + describe(failRead)
                + " with status " + errno);
    }

    private void submit(BlockRequest r) {
        if (r.op() == BlockOp.READ && stallRead.overlaps(r.offset(), r.length())) {
            return; // held for ever: what the host's hang detection is tested with
        }
        boolean write = r.op() == BlockOp.WRITE || r.op() == BlockOp.WRITE_ZEROES || r.op() == BlockOp.DISCARD;
        if ((write ? failWrite : failRead).overlaps(r.offset(), r.length()) && r.op() != BlockOp.FLUSH) {
            r.complete(errno);
            return;
        }
        MemorySegment range = memory.asSlice(r.offset(), r.length());
        switch (r.op()) {
            case READ -> r.data().copyFrom(range);
            case WRITE -> range.copyFrom(r.data());
            case WRITE_ZEROES, DISCARD -> range.fill((byte) 0);
            case FLUSH -> { }
        }
        r.complete(BlockStatus.OK);
    }

    private static long bytes(String text, String param) {
        String t = text.strip().toUpperCase(java.util.Locale.ROOT);
        long mult = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            default -> 1;
        };
        try {
            return Long.parseLong(mult == 1 ? t : t.substring(0, t.length() - 1)) * mult;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(param + ": \"" + text + "\" is not a number of bytes (K, M, G suffixes)");
        }
    }

    private static String describe(Range r) {
        return r.end() == 0 ? "nowhere" : "[" + r.start() + ", " + r.end() + ")";
    }

    @Override
    public void close() {
        device.remove();
        ctx.kmem().vfree(memory);
    }
}

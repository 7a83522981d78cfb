package dev.jdm.host.export;

import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockExtents;
import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.block.BufferLender;
import dev.jdm.host.block.SharedReaping;
import dev.jdm.host.block.LuHandle;
import dev.jdm.host.block.LuInfo;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A block-layer LU as an export sees it. The LU stays open (its driver pinned, "nbd" among its
 * holders) until the export is removed. The block layer already checks bounds and the boot-area
 * guard, orders FLUSH after completed writes, and emulates FUA and write-zeroes for drivers that
 * lack them, so both are always offered. One request queue serves every connection, so a flush on
 * one covers writes completed on all: MULTI_CONN is true.
 */
final class LuExportableDevice implements ExportableDevice {
    /** Most runs one block-status answer carries. */
    private static final int MAX_EXTENTS = 1024;
    /** NBD clients keep payloads at or below 32 MiB (proto.md, "Block size constraints"). */
    private static final int MAXIMUM_PAYLOAD = 32 << 20;

    private final LuHandle lu;
    private final LuInfo info;
    private final Set<Capability> capabilities;

    LuExportableDevice(LuHandle lu) {
        this.lu = lu;
        this.info = lu.info();
        this.capabilities = capabilities(info);
    }

    @Override
    public String name() {
        return info.name();
    }

    @Override
    public long size() {
        return info.size();
    }

    @Override
    public int minimumBlockSize() {
        return info.logicalBlockSize();
    }

    @Override
    public int preferredBlockSize() {
        return Math.max(4096, info.physicalBlockSize());
    }

    @Override
    public int maximumBlockSize() {
        return MAXIMUM_PAYLOAD - MAXIMUM_PAYLOAD % info.logicalBlockSize();
    }

    @Override
    public boolean readOnly() {
        return info.readOnly();
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities; // asked on every request
    }

    private static Set<Capability> capabilities(LuInfo info) {
        Set<Capability> caps = EnumSet.of(Capability.FLUSH, Capability.FUA, Capability.WRITE_ZEROES, Capability.MULTI_CONN);
        if (info.has(BlockDevice.DISCARD)) {
            caps.add(Capability.TRIM);
        }
        if (info.has(BlockDevice.FAST_ZERO)) {
            caps.add(Capability.FAST_ZERO);
        }
        if (info.has(BlockDevice.ROTATIONAL)) {
            caps.add(Capability.ROTATIONAL);
        }
        return java.util.Collections.unmodifiableSet(caps);
    }

    @Override
    public BufferLender.Loan lend(int bytes) {
        return lu.lend(bytes);
    }

    @Override
    public SharedReaping reaping() {
        return lu.reaping();
    }

    @Override
    public void read(long offset, MemorySegment dst, Completion done) {
        submit(BlockOp.READ, offset, dst.byteSize(), 0, dst, done);
    }

    @Override
    public void write(long offset, MemorySegment src, boolean fua, Completion done) {
        submit(BlockOp.WRITE, offset, src.byteSize(), fua ? BlockRequest.FUA : 0, src, done);
    }

    @Override
    public void flush(Completion done) {
        submit(BlockOp.FLUSH, 0, 0, 0, null, done);
    }

    @Override
    public void trim(long offset, long length, boolean fua, Completion done) {
        submit(BlockOp.DISCARD, offset, length, fua ? BlockRequest.FUA : 0, null, done);
    }

    @Override
    public void writeZeroes(long offset, long length, boolean fua, boolean mayPunch, boolean fastOnly, Completion done) {
        int flags = (fua ? BlockRequest.FUA : 0) | (mayPunch ? 0 : BlockRequest.NO_UNMAP) | (fastOnly ? BlockRequest.FAST_ZERO : 0);
        submit(BlockOp.WRITE_ZEROES, offset, length, flags, null, done);
    }

    @Override
    public void cache(long offset, long length, Completion done) {
        done.complete(IoStatus.OK); // the block layer keeps no cache to fill
    }

    /**
     * The driver's hole map through the block layer (all data where the driver has none), at most
     * {@link #MAX_EXTENTS} runs per answer: the client asks again for the rest.
     */
    @Override
    public void blockStatus(long offset, long length, StatusCompletion done) {
        List<Extent> runs = new ArrayList<>();
        boolean[] full = new boolean[1];
        int status = lu.extents(offset, Math.min(length, size() - offset), (bytes, flags) -> {
            Extent run = new Extent(bytes, (flags & BlockExtents.HOLE) != 0, (flags & BlockExtents.ZERO) != 0);
            Extent last = runs.isEmpty() ? null : runs.getLast();
            if (full[0]) {
                return; // the answer is cut here; what follows is asked for again
            } else if (last != null && last.hole() == run.hole() && last.zero() == run.zero()) {
                runs.set(runs.size() - 1, new Extent(last.length() + bytes, run.hole(), run.zero())); // drivers report per page; clients want runs
            } else if (runs.size() < MAX_EXTENTS) {
                runs.add(run);
            } else {
                full[0] = true;
            }
        });
        done.complete(status(status), status == BlockStatus.OK ? List.copyOf(runs) : List.of());
    }

    @Override
    public void release() {
        lu.close();
    }

    private void submit(BlockOp op, long offset, long length, int flags, MemorySegment data, Completion done) {
        lu.submit(op, offset, length, flags, data).thenAccept(status -> done.complete(status(status)));
    }

    /** Block errnos onto the NBD error set (proto.md, "Error values"). */
    static IoStatus status(int errno) {
        return switch (errno) {
            case BlockStatus.OK -> IoStatus.OK;
            case BlockStatus.EPERM, BlockStatus.EROFS -> IoStatus.EPERM;
            case BlockStatus.ENOMEM -> IoStatus.ENOMEM;
            case BlockStatus.EINVAL -> IoStatus.EINVAL;
            case BlockStatus.ENOSPC -> IoStatus.ENOSPC;
            case BlockStatus.EOPNOTSUPP -> IoStatus.ENOTSUP;
            case BlockStatus.ENODEV -> IoStatus.ESHUTDOWN;
            default -> IoStatus.EIO;
        };
    }
}

package dev.jdm.drivers.filedisk;

import dev.jdm.abi.Alias;
import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.DriverModule;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.Param;
import dev.jdm.abi.blk.BlockBatch;
import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockExtents;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.abi.grant.GrantException;
import dev.jdm.abi.grant.GrantedFile;
import dev.jdm.abi.grant.Grants;
import dev.jdm.abi.mem.Kmem;
import java.lang.foreign.MemorySegment;

/**
 * A block device backed by a file or block device that the host opens for it (the {@code backing}
 * parameter names it; the driver never opens paths). FLUSH is fsync or fdatasync ({@code sync});
 * FUA writes are followed by the same. Discard and unmapping write-zeroes punch holes.
 *
 * <p>By default ({@code direct=auto}) the backing is opened with O_DIRECT where it accepts it, so
 * a completed write has left the host's page cache and FLUSH only has the device's own cache to
 * empty; a file system that refuses O_DIRECT (EINVAL, as tmpfs before Linux 6.6) is served
 * through the page cache, and the log says so.
 */
@DriverModule(name = "filedisk", version = "1.0", license = "GPL", author = "jdm developers",
        description = "Block device backed by a granted file or block device")
@Param(name = "backing", description = "absolute path of the backing file or block device (opened by the host)")
@Param(name = "name", defaultValue = "file0", description = "LU name")
@Param(name = "direct", defaultValue = "auto", description = "bypass the page cache (O_DIRECT): auto where the backing supports it, y always, n never")
@Param(name = "readonly", type = Param.Type.BOOL, defaultValue = "n", description = "export read-only")
@Param(name = "discard", type = Param.Type.BOOL, defaultValue = "y", description = "discard and write-zeroes punch holes")
@Param(name = "sync", defaultValue = "fdatasync", description = "what FLUSH and FUA do: fdatasync or fsync")
@Param(name = "block_size", type = Param.Type.LONG, defaultValue = "512", description = "logical block size: 512 or 4096")
@Alias("blk:file*")
public final class FileDisk implements LoadableModule {
    private static final int ZERO_CHUNK = Kmem.KMALLOC_MAX_SIZE;

    private final ModuleContext ctx;
    private final GrantedFile file;
    private final boolean fsync;
    private final boolean discard;
    private final MemorySegment zeroes;
    private final BlockDevice device;

    /** EINVAL: what open(2) answers when the file system does not support O_DIRECT. */
    private static final int EINVAL = 22;

    private static GrantedFile open(ModuleContext ctx, int flags, String direct) {
        return switch (direct) {
            case "n", "no", "0", "false", "off" -> ctx.block().grants().file("backing", flags);
            case "y", "yes", "1", "true", "on" -> ctx.block().grants().file("backing", flags | Grants.DIRECT);
            case "auto" -> {
                try {
                    yield ctx.block().grants().file("backing", flags | Grants.DIRECT);
                } catch (GrantException e) {
                    if (e.errno() != EINVAL) {
                        throw e;
                    }
                    ctx.log().info("backing refuses O_DIRECT (" + e.getMessage() + "); using the page cache");
                    yield ctx.block().grants().file("backing", flags);
                }
            }
            default -> throw new IllegalArgumentException("direct=" + direct + " is none of auto, y, n");
        };
    }

    public FileDisk(ModuleContext ctx) {
        this.ctx = ctx;
        String sync = ctx.params().string("sync");
        if (!sync.equals("fdatasync") && !sync.equals("fsync")) {
            throw new IllegalArgumentException("sync=" + sync + " is neither fdatasync nor fsync");
        }
        long lbs = ctx.params().longValue("block_size");
        if (lbs != 512 && lbs != 4096) {
            throw new IllegalArgumentException("block_size=" + lbs + " is neither 512 nor 4096");
        }
        fsync = sync.equals("fsync");
        boolean readOnly = ctx.params().bool("readonly");
        discard = ctx.params().bool("discard") && !readOnly;
        file = open(ctx, readOnly ? Grants.READ_ONLY : 0, ctx.params().string("direct"));
        try {
            long size = file.size() / lbs * lbs;
            if (size == 0) {
                throw new IllegalArgumentException(file.path() + " is smaller than one block (" + lbs + " bytes)");
            }
            zeroes = readOnly ? MemorySegment.NULL : ctx.kmem().kzalloc(ZERO_CHUNK, Kmem.GFP_DMA);
            int caps = BlockDevice.FLUSH | BlockDevice.FUA | (readOnly ? BlockDevice.READ_ONLY : BlockDevice.WRITE_ZEROES)
                    | (discard ? BlockDevice.DISCARD | (file.blockDevice() ? 0 : BlockDevice.FAST_ZERO) : 0)
                    | (file.blockDevice() ? BlockDevice.ROTATIONAL : 0);
            device = ctx.block().device(ctx.params().string("name")).size(size).logicalBlockSize((int) lbs)
                    .physicalBlockSize(Math.max((int) lbs, Kmem.PAGE_SIZE)).capabilities(caps).extents(this::extents).registerQueue(this::submit);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
        ctx.log().info(device.name() + ": " + file.path() + ", " + device.size() + " bytes" + (readOnly ? ", read-only" : "")
                + (file.direct() ? ", O_DIRECT" : ""));
    }

    /** Holes as the backing's file system knows them (SEEK_DATA/SEEK_HOLE); a block device is all data. */
    private int extents(long offset, long length, BlockExtents.Runs out) {
        long end = offset + length;
        long pos = offset;
        try {
            while (pos < end) {
                long data = file.nextData(pos);
                if (data < 0 || data >= end) {
                    out.add(end - pos, BlockExtents.HOLE | BlockExtents.ZERO);
                    return BlockStatus.OK;
                }
                if (data > pos) {
                    out.add(data - pos, BlockExtents.HOLE | BlockExtents.ZERO);
                    pos = data;
                }
                long hole = Math.min(end, file.nextHole(pos));
                out.add(hole - pos, 0);
                pos = hole;
            }
        } catch (GrantException e) {
            ctx.log().err("extents at " + offset + "+" + length + ": " + e.getMessage());
            return status(e);
        }
        return BlockStatus.OK;
    }

    /** One system call per request, in batch order; a request that throws fails alone. */
    private void submit(BlockBatch batch) {
        for (int i = 0, n = batch.size(); i < n; i++) {
            BlockRequest r = batch.get(i);
            try {
                submit(r);
            } catch (RuntimeException e) {
                ctx.log().err(r.op() + " at " + r.offset() + ": " + e);
                r.complete(BlockStatus.EIO);
            }
        }
    }

    private void submit(BlockRequest r) {
        int status;
        try {
            status = switch (r.op()) {
                case READ -> {
                    file.pread(r.data(), r.offset());
                    yield BlockStatus.OK;
                }
                case WRITE -> {
                    file.pwrite(r.data(), r.offset());
                    yield durableIfFua(r);
                }
                case FLUSH -> {
                    sync();
                    yield BlockStatus.OK;
                }
                case DISCARD -> {
                    file.punchHole(r.offset(), r.length()); // advisory: a file system without holes keeps the data
                    yield BlockStatus.OK;
                }
                case WRITE_ZEROES -> zero(r);
            };
        } catch (GrantException e) {
            ctx.log().err(r.op() + " at " + r.offset() + ": " + e.getMessage());
            status = status(e);
        }
        r.complete(status);
    }

    private int zero(BlockRequest r) {
        boolean mayUnmap = (r.flags() & BlockRequest.NO_UNMAP) == 0;
        if (discard && mayUnmap && file.punchHole(r.offset(), r.length())) {
            return durableIfFua(r);
        }
        if ((r.flags() & BlockRequest.FAST_ZERO) != 0) {
            return BlockStatus.EOPNOTSUPP; // writing zeroes would be slow
        }
        for (long done = 0; done < r.length(); done += ZERO_CHUNK) {
            long n = Math.min(ZERO_CHUNK, r.length() - done);
            file.pwrite(zeroes.asSlice(0, n), r.offset() + done);
        }
        return durableIfFua(r);
    }

    private int durableIfFua(BlockRequest r) {
        if ((r.flags() & BlockRequest.FUA) != 0) {
            sync();
        }
        return BlockStatus.OK;
    }

    private void sync() {
        if (fsync) {
            file.fsync();
        } else {
            file.fdatasync();
        }
    }

    /** The system call's errno as the request's status; EIO if it gave none a request can carry. */
    private static int status(GrantException e) {
        return e.errno() > 0 && e.errno() < 4096 ? e.errno() : BlockStatus.EIO;
    }

    @Override
    public void close() {
        device.remove();
        file.close();
        if (zeroes.byteSize() > 0) {
            ctx.kmem().kfree(zeroes);
        }
    }
}

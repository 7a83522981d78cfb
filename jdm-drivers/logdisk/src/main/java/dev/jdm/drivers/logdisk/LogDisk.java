package dev.jdm.drivers.logdisk;

import dev.jdm.abi.DriverModule;
import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.Param;
import dev.jdm.abi.blk.BlockBatch;
import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.abi.grant.GrantedFile;
import dev.jdm.abi.grant.Grants;
import dev.jdm.abi.mem.Kmem;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A RAM disk that records every write, write-zeroes, discard and flush, with FUA, in the order it
 * completes them, into a log file granted by the {@code log} parameter ({@link LogFormat}), in the
 * manner of dm-log-writes. It claims a volatile cache (FLUSH) and, with {@code fua=y}, FUA, so the
 * host's flush ordering and FUA emulation are what the log shows; replaying prefixes of the log
 * gives every state a power cut could leave, which the replay checker compares with what the
 * clients were promised. The data lives in the module's own memory: the log, not a backing LU, is
 * the evidence, so nothing below it can reorder or lose what it recorded.
 */
@DriverModule(name = "logdisk", version = "1.0", license = "GPL", author = "jdm developers",
        description = "RAM disk that logs writes, flushes and FUA in completion order (dm-log-writes) for replay checks")
@Param(name = "size", type = Param.Type.LONG, defaultValue = "64M", description = "size in bytes (K, M, G suffixes), a multiple of 4096")
@Param(name = "name", defaultValue = "log0", description = "LU name")
@Param(name = "log", description = "absolute path of the log file (created empty beforehand; the host opens it)")
@Param(name = "fua", type = Param.Type.BOOL, defaultValue = "n", description = "claim FUA; otherwise the host emulates it with a flush")
public final class LogDisk implements LoadableModule {
    private final ModuleContext ctx;
    private final MemorySegment memory;
    private final GrantedFile log;
    private final MemorySegment header;
    private final BlockDevice device;
    private long seq;
    private long logEnd;

    public LogDisk(ModuleContext ctx) {
        this.ctx = ctx;
        long size = ctx.params().longValue("size");
        if (size <= 0 || size % Kmem.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("size=" + size + " is not a positive multiple of " + Kmem.PAGE_SIZE);
        }
        log = ctx.block().grants().file("log", 0);
        memory = ctx.kmem().vmalloc(size);
        header = ctx.kmem().kmalloc(LogFormat.HEADER, 0);
        int caps = BlockDevice.FLUSH | BlockDevice.WRITE_ZEROES | BlockDevice.DISCARD | (ctx.params().bool("fua") ? BlockDevice.FUA : 0);
        try {
            device = ctx.block().device(ctx.params().string("name")).size(size).logicalBlockSize(512).physicalBlockSize(Kmem.PAGE_SIZE)
                    .capabilities(caps).registerQueue(this::submit);
        } catch (RuntimeException e) {
            ctx.kmem().kfree(header);
            ctx.kmem().vfree(memory);
            throw e;
        }
        ctx.log().info(device.name() + ": " + (size >> 20) + " MiB, logging to the granted file" + ((caps & BlockDevice.FUA) != 0 ? ", FUA" : ""));
    }

    private void submit(BlockBatch batch) {
        for (int i = 0, n = batch.size(); i < n; i++) {
            submit(batch.get(i));
        }
    }

    private void submit(BlockRequest r) {
        int status = BlockStatus.OK;
        try {
            MemorySegment range = r.op() == BlockOp.FLUSH ? MemorySegment.NULL : memory.asSlice(r.offset(), r.length());
            switch (r.op()) {
                case READ -> r.data().copyFrom(range);
                case WRITE -> record(LogFormat.WRITE, r, () -> range.copyFrom(r.data()));
                case WRITE_ZEROES, DISCARD -> record(LogFormat.ZERO, r, () -> range.fill((byte) 0));
                case FLUSH -> record(LogFormat.FLUSH, r, () -> { });
            }
        } catch (RuntimeException e) {
            ctx.log().warn(device.name() + ": " + r + " failed: " + e.getMessage());
            status = BlockStatus.EIO;
        }
        r.complete(status);
    }

    /** Applies the request and appends its entry, as one step: the log's order is the completion order. */
    private synchronized void record(int kind, BlockRequest r, Runnable apply) {
        apply.run();
        long length = r.op() == BlockOp.FLUSH ? 0 : r.length();
        header.set(ValueLayout.JAVA_INT_UNALIGNED, LogFormat.MAGIC_AT, LogFormat.MAGIC);
        header.set(ValueLayout.JAVA_SHORT_UNALIGNED, LogFormat.KIND_AT, (short) kind);
        header.set(ValueLayout.JAVA_SHORT_UNALIGNED, LogFormat.FLAGS_AT, (short) ((r.flags() & BlockRequest.FUA) != 0 ? LogFormat.FLAG_FUA : 0));
        header.set(ValueLayout.JAVA_LONG_UNALIGNED, LogFormat.SEQ_AT, seq++);
        header.set(ValueLayout.JAVA_LONG_UNALIGNED, LogFormat.OFFSET_AT, r.op() == BlockOp.FLUSH ? 0 : r.offset());
        header.set(ValueLayout.JAVA_LONG_UNALIGNED, LogFormat.LENGTH_AT, length);
        header.set(ValueLayout.JAVA_LONG_UNALIGNED, LogFormat.NANOS_AT, System.nanoTime());
        log.pwrite(header, logEnd);
        logEnd += LogFormat.HEADER;
        if (LogFormat.hasData(kind)) {
            log.pwrite(r.data(), logEnd);
            logEnd += length;
        }
    }

    @Override
    public void close() {
        device.remove();
        log.close();
        ctx.kmem().kfree(header);
        ctx.kmem().vfree(memory);
    }
}

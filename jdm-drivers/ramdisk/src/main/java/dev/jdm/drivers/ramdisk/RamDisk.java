package dev.jdm.drivers.ramdisk;

import dev.jdm.abi.Alias;
import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.DriverModule;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.Param;
import dev.jdm.abi.blk.BlockBatch;
import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.abi.mem.Kmem;
import java.lang.foreign.MemorySegment;

/**
 * A RAM disk. Its memory is one vmalloc region, which the host maps lazily (MAP_NORESERVE): pages
 * never written cost nothing and read as zero. There is no volatile cache, so FLUSH and FUA need
 * nothing; write-zeroes and discard clear the range. A page map reports the pages never written
 * (or zeroed whole since) as holes, so clients that map the disk skip them.
 */
@DriverModule(name = "ramdisk", version = "1.0", license = "GPL", author = "jdm developers",
        description = "RAM-backed block device (sparse: untouched pages read as zero)")
@Param(name = "size", type = Param.Type.LONG, defaultValue = "256M", description = "size in bytes (K, M, G suffixes), a multiple of 4096")
@Param(name = "name", defaultValue = "ram0", description = "LU name")
@Alias("blk:ram*")
public final class RamDisk implements LoadableModule {
    private final ModuleContext ctx;
    private final MemorySegment memory;
    private final PageMap pages;
    private final BlockDevice device;

    public RamDisk(ModuleContext ctx) {
        this.ctx = ctx;
        long size = ctx.params().longValue("size");
        if (size <= 0 || size % Kmem.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("size=" + size + " is not a positive multiple of " + Kmem.PAGE_SIZE);
        }
        memory = ctx.kmem().vmalloc(size);
        pages = new PageMap(size);
        try {
            device = ctx.block().device(ctx.params().string("name")).size(size).logicalBlockSize(512).physicalBlockSize(Kmem.PAGE_SIZE)
                    .capabilities(BlockDevice.DISCARD | BlockDevice.WRITE_ZEROES | BlockDevice.FAST_ZERO)
                    .extents(pages).registerQueue(this::submit);
        } catch (RuntimeException e) {
            ctx.kmem().vfree(memory);
            throw e;
        }
        ctx.log().info(device.name() + ": " + (size >> 20) + " MiB");
    }

    /** Every request is a copy or a fill, done at once; a batch costs one call. */
    private void submit(BlockBatch batch) {
        for (int i = 0, n = batch.size(); i < n; i++) {
            submit(batch.get(i));
        }
    }

    private void submit(BlockRequest r) {
        MemorySegment range = memory.asSlice(r.offset(), r.length());
        switch (r.op()) {
            case READ -> r.data().copyFrom(range);
            case WRITE -> {
                range.copyFrom(r.data());
                pages.written(r.offset(), r.length());
            }
            case WRITE_ZEROES, DISCARD -> {
                range.fill((byte) 0);
                pages.zeroed(r.offset(), r.length());
            }
            case FLUSH -> { } // nothing volatile
        }
        r.complete(BlockStatus.OK);
    }

    @Override
    public void close() {
        device.remove();
        ctx.kmem().vfree(memory);
    }
}

package ${package};

import dev.jdm.abi.DriverModule;
import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.Param;
import dev.jdm.abi.blk.BlockBatch;
import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.abi.mem.Kmem;
import java.lang.foreign.MemorySegment;

/**
 * A RAM disk, the smallest complete block driver: one LU, ${moduleName}0, backed by vmalloc memory
 * that the host maps lazily, so untouched pages cost nothing and read as zero. Load it with
 * {@code ./jdm insmod target/${artifactId}-${version}.jar size=64M}; see docs/module-authors.md.
 */
@DriverModule(name = "${moduleName}", version = "${version}", license = "GPL", description = "A RAM disk")
@Param(name = "size", type = Param.Type.LONG, defaultValue = "16M", description = "size in bytes (K, M, G suffixes), a multiple of 4096")
public final class DiskModule implements LoadableModule {
    private final ModuleContext ctx;
    private final MemorySegment memory;
    private final BlockDevice device;

    /** Init: throwing refuses the load, and the host unwinds what was registered. */
    public DiskModule(ModuleContext ctx) {
        this.ctx = ctx;
        long size = ctx.params().longValue("size");
        if (size <= 0 || size % Kmem.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("size=" + size + " is not a positive multiple of " + Kmem.PAGE_SIZE);
        }
        memory = ctx.kmem().vmalloc(size);
        try {
            device = ctx.block().device("${moduleName}0").size(size).logicalBlockSize(512).physicalBlockSize(Kmem.PAGE_SIZE)
                    .capabilities(BlockDevice.WRITE_ZEROES | BlockDevice.DISCARD)
                    .registerQueue(this::submit);              // the JDM_1.1 contract: BlockQueueDriver, batched
        } catch (RuntimeException e) {
            ctx.kmem().vfree(memory);
            throw e;
        }
        ctx.log().info(device.name() + ": " + (size >> 20) + " MiB");
    }

    /** Every request that was ready, at once: keep requests if you complete them later, never the batch. */
    private void submit(BlockBatch batch) {
        for (int i = 0, n = batch.size(); i < n; i++) {
            submit(batch.get(i));
        }
    }

    /** Already checked by the host: alignment, bounds, the boot guard, and only ops the capabilities allow. */
    private void submit(BlockRequest r) {
        MemorySegment range = memory.asSlice(r.offset(), r.length());
        switch (r.op()) {
            case READ -> r.data().copyFrom(range);
            case WRITE -> range.copyFrom(r.data());
            case WRITE_ZEROES, DISCARD -> range.fill((byte) 0);
            case FLUSH -> { }                                   // nothing volatile to make durable
        }
        r.complete(BlockStatus.OK);                             // exactly once, from any thread
    }

    /** Exit: removing the device waits for requests in flight; then the memory goes back. */
    @Override
    public void close() {
        device.remove();
        ctx.kmem().vfree(memory);
    }
}

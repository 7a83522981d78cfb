package dev.jdm.drivers.kstack;

import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.DriverModule;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.Param;
import dev.jdm.abi.mem.Kmem;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Exports {@link KStack} to other modules. */
@DriverModule(name = "kstack", version = "1.0", license = "GPL", author = "jdm developers",
        description = "Exports a stack of longs to other modules")
@Param(name = "capacity", type = Param.Type.LONG, description = "most values held", defaultValue = "1024")
public final class KStackModule implements LoadableModule, KStack {
    private final ModuleContext context;
    private final MemorySegment slots;
    private final int capacity;
    private int depth;

    public KStackModule(ModuleContext context) {
        this.context = context;
        long cap = context.params().longValue("capacity");
        if (cap < 1 || cap > Kmem.KMALLOC_MAX_SIZE / 8) {
            throw new IllegalArgumentException("capacity must be 1.." + Kmem.KMALLOC_MAX_SIZE / 8);
        }
        capacity = (int) cap;
        slots = context.kmem().kmalloc(8L * capacity, Kmem.GFP_KERNEL);
        context.export(KStack.class, this);
        context.log().info("kstack ready, capacity " + capacity);
    }

    @Override
    public synchronized void push(long value) {
        if (depth == capacity) {
            throw new IllegalStateException("kstack full (" + capacity + ")");
        }
        slots.setAtIndex(ValueLayout.JAVA_LONG, depth++, value);
    }

    @Override
    public synchronized long pop() {
        if (depth == 0) {
            throw new IllegalStateException("kstack empty");
        }
        return slots.getAtIndex(ValueLayout.JAVA_LONG, --depth);
    }

    @Override
    public synchronized int depth() {
        return depth;
    }

    @Override
    public void close() {
        context.kmem().kfree(slots);
    }
}

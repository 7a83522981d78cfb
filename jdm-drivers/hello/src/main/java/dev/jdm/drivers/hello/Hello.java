package dev.jdm.drivers.hello;

import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.DriverModule;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.Param;
import dev.jdm.abi.mem.Kmem;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The smallest useful module: reads its parameters, logs, and holds a little memory while loaded. */
@DriverModule(name = "hello", version = "1.0", license = "GPL", author = "jdm developers",
        description = "Says hello: parameters, logging and kmalloc")
@Param(name = "greeting", description = "what to say", defaultValue = "hello")
@Param(name = "count", type = Param.Type.LONG, description = "how many times to say it", defaultValue = "1")
@Param(name = "leak", type = Param.Type.BOOL, description = "keep the buffer on exit, to show leak reports", defaultValue = "n")
public final class Hello implements LoadableModule {
    private final ModuleContext context;
    private final MemorySegment buffer;

    public Hello(ModuleContext context) {
        this.context = context;
        long count = context.params().longValue("count");
        if (count < 0 || count > 100) {
            throw new IllegalArgumentException("count must be 0..100, got " + count);
        }
        String greeting = context.params().string("greeting");
        buffer = context.kmem().kzalloc(64, Kmem.GFP_KERNEL);
        buffer.set(ValueLayout.JAVA_LONG, 0, count);
        for (long i = 0; i < count; i++) {
            context.log().info(greeting + " from " + context.name() + " (" + (i + 1) + "/" + count + ")");
        }
    }

    @Override
    public void close() {
        context.log().info("goodbye after " + buffer.get(ValueLayout.JAVA_LONG, 0) + " greetings");
        if (!context.params().bool("leak")) {
            context.kmem().kfree(buffer);
        }
    }
}

package dev.jdm.drivers.kstackuser;

import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.DriverModule;
import dev.jdm.abi.ModuleContext;
import dev.jdm.drivers.kstack.KStack;

/** Uses the stack that kstack exports; loading it pins kstack. */
@DriverModule(name = "kstack-user", version = "1.0", license = "GPL", author = "jdm developers",
        description = "Pushes and pops through kstack's export")
public final class KStackUser implements LoadableModule {
    private final ModuleContext context;
    private final KStack stack;

    public KStackUser(ModuleContext context) {
        this.context = context;
        this.stack = context.lookup(KStack.class)
                .orElseThrow(() -> new IllegalStateException("kstack offers no KStack"));
        for (long v = 1; v <= 3; v++) {
            stack.push(v * 10);
        }
        context.log().info("pushed 3 values, kstack depth " + stack.depth());
    }

    @Override
    public void close() {
        long sum = 0;
        for (int i = 0; i < 3; i++) {
            sum += stack.pop();
        }
        context.log().info("popped back, sum " + sum);
    }
}

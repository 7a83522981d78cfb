package dev.jdm.host.module.mutation;

import java.util.LinkedHashMap;
import java.util.Map;

/** The modules the mutation suite builds against the original ABI: each uses it in another way, and tests itself with {@code probe()}. */
final class SampleModules {
    private SampleModules() {}

    private static String module(String pkg, String cls, String name, String imports, String body) {
        return """
                package %s;
                import dev.jdm.abi.*;
                %s
                @DriverModule(name = "%s", license = "GPL")
                public final class %s implements LoadableModule {
                %s
                    @Override public void close() {}
                }
                """.formatted(pkg, imports, name, cls, body);
    }

    /** Module name to its sources (binary class name to code). */
    static Map<String, Map<String, String>> all() {
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        m.put("allocator", Map.of("m1.Allocator", module("m1", "Allocator", "allocator", "import dev.jdm.abi.mem.*;", """
                    public Allocator(ModuleContext ctx) { ctx.kmem().kfree(ctx.kmem().kmalloc(64, Kmem.GFP_ZERO)); }
                    static String probe() { return "flags=" + Kmem.GFP_ZERO; }
                """)));
        m.put("stats", Map.of("m2.Stats", module("m2", "Stats", "stats", "", """
                    public Stats(ModuleContext ctx) { ctx.log().info("" + ctx.kmem().stats().kmallocBytes()); }
                """)));
        m.put("guard", Map.of("m3.Guard", module("m3", "Guard", "guard", "import dev.jdm.abi.sec.*;", """
                    public Guard(ModuleContext ctx) { ctx.security().register(new Hook()); }
                    static final class Hook implements SecurityModule {
                        @Override public Vote devOpen(TaskCred task, Object data, DevOpen open) {
                            return (open.access() & DevOpen.WRITE) != 0 ? Vote.deny("read-only site") : Vote.NO_OPINION;
                        }
                    }
                """)));
        m.put("quiet", Map.of("m4.Quiet", module("m4", "Quiet", "quiet", "import dev.jdm.abi.sec.*;", """
                    public Quiet(ModuleContext ctx) { ctx.security().register(new Hook()); }
                    static final class Hook implements SecurityModule {
                        @Override public Vote moduleLoad(TaskCred task, Object data, ModuleOp op) { return Vote.NO_OPINION; }
                    }
                """)));
        m.put("blockdrv", Map.of("m5.BlockDrv", module("m5", "BlockDrv", "blockdrv", "import dev.jdm.abi.blk.*;", """
                    public BlockDrv(ModuleContext ctx) { ctx.block().device("d0").size(1 << 20).register(new Driver()); }
                    static final class Driver implements BlockDriver {
                        @Override public void submit(BlockRequest r) {
                            r.complete(r.op().ordinal() == 1 ? BlockStatus.EROFS : BlockStatus.OK); // writes are refused, by ordinal
                        }
                    }
                    static String probe() { return "write=" + BlockOp.WRITE.ordinal(); }
                """)));
        m.put("statsmaker", Map.of("m6.StatsMaker", module("m6", "StatsMaker", "statsmaker", "import dev.jdm.abi.mem.*;", """
                    public StatsMaker(ModuleContext ctx) { ctx.log().info(probe()); }
                    static String probe() { return new MemStats(1, 2, 3, 4).toString(); }
                """)));
        m.put("catcher", Map.of("m7.Catcher", module("m7", "Catcher", "catcher", "import dev.jdm.abi.mem.*;", """
                    public Catcher(ModuleContext ctx) {
                        try { ctx.kmem().kfree(null); } catch (KmemException e) { ctx.log().warn(e.getMessage()); }
                    }
                    static String probe() { return "unchecked=" + RuntimeException.class.isAssignableFrom(KmemException.class); }
                """)));
        m.put("looker", Map.of("m8.Looker", module("m8", "Looker", "looker", "", """
                    public Looker(ModuleContext ctx) { ctx.log().info("" + ctx.lookup(Runnable.class).isPresent()); }
                """)));
        return m;
    }
}

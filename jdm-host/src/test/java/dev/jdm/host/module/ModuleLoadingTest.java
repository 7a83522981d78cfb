package dev.jdm.host.module;

import dev.jdm.host.config.HostConfig;
import dev.jdm.host.config.NbdOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import dev.jdm.host.TestModules;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.SymversException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad module gives one clear error, and the host keeps serving with nothing half-loaded. */
class ModuleLoadingTest {
    @TempDir
    Path tmp;
    Path bundled;
    Host host;

    @BeforeEach
    void start() throws IOException {
        bundled = Files.createDirectories(tmp.resolve("bundled"));
        host = Host.start(new Host.Options(null, tmp.resolve("gate.sock"), tmp.resolve("state"), bundled, null,
                new NbdOptions(null, "off", java.util.List.of())));
        assertThat(host.startupErrors()).hasSize(HostConfig.DEFAULT_MODULES.size()); // the defaults are not in this empty bundle
    }

    @AfterEach
    void stop() {
        host.close();
    }

    private HostException loadFails(Path jar) {
        List<String> before = names();
        long symbols = host.exports().all().size();
        HostException e = catchHost(() -> host.modules().load(readJar(jar), jar.toString(), Map.of(), false));
        assertThat(names()).as("nothing half-loaded").isEqualTo(before);
        assertThat(host.exports().all()).as("no exports left behind").hasSize((int) symbols);
        return e;
    }

    private static JarContents readJar(Path jar) {
        try {
            return JarContents.read(jar);
        } catch (SymversException e) {
            throw new HostException(Errno.ENOEXEC, e.getMessage());
        }
    }

    private static HostException catchHost(Runnable r) {
        try {
            r.run();
        } catch (HostException e) {
            return e;
        }
        throw new AssertionError("expected a HostException");
    }

    private List<String> names() {
        return host.modules().list().stream().map(LoadedModule::name).toList();
    }

    /** A module that calls getpid(2) through the native linker, as native-code modules do. */
    private static Map<String, String> nativeModule(String name, boolean declared) {
        String cls = "N" + name.replace("-", "_");
        return Map.of("t." + cls, """
                package t;
                import dev.jdm.abi.*;
                import java.lang.foreign.*;
                @DriverModule(name = "%s", license = "GPL", nativeCode = %s)
                public final class %s implements LoadableModule {
                    public %s(ModuleContext ctx) throws Throwable {
                        Linker c = Linker.nativeLinker();
                        var getpid = c.downcallHandle(c.defaultLookup().find("getpid").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
                        ctx.log().info("native pid " + (int) getpid.invokeExact());
                    }
                    @Override public void close() {}
                }
                """.formatted(name, declared, cls, cls));
    }

    @Test
    void shouldRunDeclaredNativeCodeColocatedOnlyWhereTheOperatorAllowsItAndTaint() throws Exception {
        assertThatThrownBy(() -> TestModules.build(tmp.resolve("undeclared.jar"), nativeModule("undeclared", false)))
                .hasMessageContaining("java.lang.foreign.Linker").hasMessageContaining("native code is not part of the ABI");
        Path jar = TestModules.build(tmp.resolve("native.jar"), nativeModule("nativemod", true));
        assertThat(JarContents.read(jar).metadataText("modinfo").orElseThrow()).contains("native=y");
        HostException refused = catchHost(() -> load(jar));
        assertThat(refused.code()).isEqualTo(dev.jdm.errno.Errno.EPERM);
        assertThat(refused).hasMessage("nativemod: declares native code (modinfo native=y), which runs only in an isolated domain"
                + " (jdm insmod --domain isolated), or colocated where sysctl module.native_colocated=1 allows it");
        assertThat(names()).doesNotContain("nativemod");
        assertThat(host.sysctl().get("kernel.tainted").orElseThrow()).doesNotContain("X");

        host.sysctl().set("module.native_colocated", "1");
        load(jar);
        assertThat(host.log().since(0)).anyMatch(r -> r.message().equals("native pid " + ProcessHandle.current().pid()));
        assertThat(host.sysctl().get("kernel.tainted").orElseThrow()).contains("X");
        assertThat(host.modules().get("nativemod").orElseThrow().taints()).contains(Taint.NATIVE_COLOCATED);
    }

    private LoadedModule load(Path jar) {
        return host.modules().load(JarContents.read(jar), jar.toString(), Map.of(), false);
    }

    @Test
    void shouldLoadAndUnloadAGoodModuleAndReclaimItsLeak() throws IOException {
        Path jar = TestModules.build(tmp.resolve("good.jar"), TestModules.module("good", "ctx.kmem().kmalloc(100, Kmem.GFP_KERNEL); ctx.log().info(\"up\");"));
        LoadedModule m = load(jar);
        assertThat(m.state()).isEqualTo(ModuleState.LIVE);
        assertThat(m.taints()).containsExactly(Taint.OUT_OF_TREE);
        assertThat(host.modules().unload("good", false, false)).isEqualTo(ModuleManager.UnloadResult.UNLOADED);
        assertThat(host.log().since(0)).anyMatch(r -> r.message().contains("good: leaked 1 kmalloc object(s) (100 bytes)"));
    }

    @Test
    void shouldRefuseCorruptTruncatedAndBombJars() throws IOException {
        Path garbage = Files.write(tmp.resolve("garbage.jar"), new byte[] {1, 2, 3, 4, 5});
        assertThat(loadFails(garbage).getMessage()).contains("not a valid JAR");

        Path good = TestModules.build(tmp.resolve("t.jar"), TestModules.module("tr", ""));
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = Files.write(tmp.resolve("truncated.jar"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThat(loadFails(truncated).code()).isEqualTo(Errno.ENOEXEC);

        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bomb)) {
            z.putNextEntry(new ZipEntry("a/Bomb.class"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 200; i++) {
                z.write(zeros);
            }
            z.closeEntry();
        }
        Path bombJar = Files.write(tmp.resolve("bomb.jar"), bomb.toByteArray());
        assertThat(loadFails(bombJar).getMessage()).contains("zip bomb");
    }

    @Test
    void shouldRefuseMissingAndGarbledModinfo() throws IOException {
        Map<String, byte[]> classes = TestModules.compile(TestModules.module("mi", ""));
        HostException missing = loadFails(TestModules.raw(tmp.resolve("nomodinfo.jar"), classes, Map.of()));
        assertThat(missing.getMessage()).contains("no META-INF/jdm/modinfo");
        HostException garbled = loadFails(TestModules.raw(tmp.resolve("garbled.jar"), classes, Map.of("modinfo", "name=mi\nthis is not a pair\n")));
        assertThat(garbled.getMessage()).contains("modinfo line 2: expected key=value");
        HostException noLicence = loadFails(TestModules.raw(tmp.resolve("nolic.jar"), classes, Map.of("modinfo", "name=mi\nabi=JDM_1.0\nentry=t.Mmi\n")));
        assertThat(noLicence.getMessage()).contains("modinfo has no license=");
    }

    @Test
    void shouldRefuseADuplicateName() throws IOException {
        Path jar = TestModules.build(tmp.resolve("dup.jar"), TestModules.module("dup", ""));
        load(jar);
        assertThat(loadFails(jar).code()).isEqualTo(Errno.EEXIST);
    }

    @Test
    void shouldRefuseADependencyCycle() throws IOException {
        Map<String, byte[]> a = TestModules.compile(TestModules.module("cyc-a", ""));
        Map<String, byte[]> b = TestModules.compile(TestModules.module("cyc-b", ""));
        TestModules.raw(bundled.resolve("cyc-a.jar"), a, Map.of("modinfo", "name=cyc-a\nlicense=GPL\nabi=JDM_1.0\nentry=t.Mcyc_a\ndepends=cyc-b\n", "versions", ""));
        TestModules.raw(bundled.resolve("cyc-b.jar"), b, Map.of("modinfo", "name=cyc-b\nlicense=GPL\nabi=JDM_1.0\nentry=t.Mcyc_b\ndepends=cyc-a\n", "versions", ""));
        HostException e = loadFails(bundled.resolve("cyc-a.jar"));
        assertThat(e.code()).isEqualTo(Errno.ELOOP);
        assertThat(e.getMessage()).contains("cyc-a -> cyc-b -> cyc-a");
    }

    @Test
    void shouldRefuseAnUnknownSymbolBuiltAgainstAnotherAbi() throws IOException {
        String kmem = Files.readString(abiSource("mem/Kmem.java")).replace("MemStats stats();", "MemStats stats();\n    long kextra();");
        Path jar = TestModules.buildAgainstAlteredAbi(tmp.resolve("unk.jar"), Map.of("dev.jdm.abi.mem.Kmem", kmem),
                TestModules.module("unk", "ctx.kmem().kextra();"));
        HostException e = loadFails(jar);
        assertThat(e.getMessage()).contains("Unknown symbol dev.jdm.abi.mem.Kmem#kextra()J");
    }

    @Test
    void shouldRefuseAFingerprintMismatchAndSayWhatChanged() throws IOException {
        // built against an ABI whose Kmem constant had another value: the module may have inlined it
        String kmem = Files.readString(abiSource("mem/Kmem.java")).replace("int GFP_ZERO = 1;", "int GFP_ZERO = 8;");
        Path jar = TestModules.buildAgainstAlteredAbi(tmp.resolve("mis.jar"), Map.of("dev.jdm.abi.mem.Kmem", kmem),
                TestModules.module("mis", "ctx.log().info(\"zero=\" + Kmem.GFP_ZERO);"));
        HostException e = loadFails(jar);
        assertThat(e.code()).isEqualTo(Errno.ENOEXEC);
        assertThat(e.getMessage()).startsWith("mis: disagrees about version of symbol dev.jdm.abi.mem.Kmem#GFP_ZERO:I (module 0x")
                .endsWith("): its value changed from 8 to 1; the module may have inlined 8");
        // a module that does not name the constant cannot have inlined it: the same change is compatible for it
        Path other = TestModules.buildAgainstAlteredAbi(tmp.resolve("other.jar"), Map.of("dev.jdm.abi.mem.Kmem", kmem),
                TestModules.module("other", "ctx.log().info(\"\" + ctx.kmem().stats());"));
        assertThat(load(other).state()).isEqualTo(ModuleState.LIVE);
        // forced, it loads and taints F, and shows why it was refused: its bytecode carries the old value
        LoadedModule m = host.modules().load(JarContents.read(jar), jar.toString(), Map.of(), true);
        assertThat(m.taints()).contains(Taint.FORCED);
        assertThat(host.modules().taints()).contains(Taint.FORCED);
        assertThat(host.log().since(0)).anyMatch(r -> r.source().equals("mis") && r.message().equals("zero=8"));
    }

    @Test
    void shouldAcceptADifferenceThisModuleCannotDependOn() throws IOException {
        // a record component the module never constructs nor reads: its accessors and constructor are symbols of their own
        String stats = "package dev.jdm.abi.mem; @dev.jdm.abi.Provided public record MemStats(long kmallocObjects, long kmallocBytes, long vmallocRegions, long vmallocBytes, long peak) {}";
        Path jar = TestModules.buildAgainstAlteredAbi(tmp.resolve("rec.jar"), Map.of("dev.jdm.abi.mem.MemStats", stats),
                TestModules.module("rec", "ctx.log().info(\"\" + ctx.kmem().stats().kmallocBytes());"));
        LoadedModule m = load(jar);
        assertThat(m.state()).isEqualTo(ModuleState.LIVE);
        assertThat(m.taints()).doesNotContain(Taint.FORCED);
        assertThat(host.log().since(0)).anyMatch(r -> r.message().startsWith("rec: loaded from") && r.message().contains("changed compatibly"));
        // reading the component the host lacks is an unknown symbol
        Path reads = TestModules.buildAgainstAlteredAbi(tmp.resolve("peak.jar"), Map.of("dev.jdm.abi.mem.MemStats", stats),
                TestModules.module("peak", "ctx.log().info(\"\" + ctx.kmem().stats().peak());"));
        assertThat(loadFails(reads).getMessage()).contains("Unknown symbol dev.jdm.abi.mem.MemStats#peak()J");
    }

    @Test
    void shouldRefuseHostInternalsAndForbiddenJdkCallsEvenWithAForgedVersionsTable() throws IOException {
        Map<String, byte[]> internal = TestModules.compile(TestModules.module("intl", "dev.jdm.host.Host.defaultRuntimeDir();"));
        String mi = "name=intl\nlicense=GPL\nabi=JDM_1.0\nentry=t.Mintl\n";
        HostException e = loadFails(TestModules.raw(tmp.resolve("intl.jar"), internal, Map.of("modinfo", mi, "versions", "")));
        assertThat(e.getMessage()).contains("refers to host internals dev.jdm.host.Host");

        Map<String, byte[]> exit = TestModules.compile(TestModules.module("ex", "System.exit(1);"));
        HostException f = loadFails(TestModules.raw(tmp.resolve("ex.jar"), exit, Map.of("modinfo", mi.replace("intl", "ex"), "versions", "")));
        assertThat(f.getMessage()).contains("java.lang.System#exit(I)V, which modules may not use");

        Map<String, byte[]> files = TestModules.compile(TestModules.module("fio", "java.nio.file.Files.readAllBytes(java.nio.file.Path.of(\"/etc/passwd\"));"));
        HostException g = loadFails(TestModules.raw(tmp.resolve("fio.jar"), files, Map.of("modinfo", mi.replace("intl", "fio"), "versions", "")));
        assertThat(g.getMessage()).contains("direct file I/O is refused");
    }

    @Test
    void shouldRefuseAVersionsTableThatHidesAnImport() throws IOException {
        Map<String, byte[]> classes = TestModules.compile(TestModules.module("hide", "ctx.log().info(\"x\");"));
        String mi = "name=hide\nlicense=GPL\nabi=JDM_1.0\nentry=t.Mhide\n";
        HostException e = loadFails(TestModules.raw(tmp.resolve("hide.jar"), classes, Map.of("modinfo", mi, "versions", "")));
        assertThat(e.getMessage()).contains("the versions table does not list");
    }

    @Test
    void shouldUnwindAConstructorThatThrowsOrHangs() throws IOException {
        Path thrower = TestModules.build(tmp.resolve("thr.jar"), TestModules.module("thr",
                "ctx.kmem().kmalloc(64, 0); ctx.kmem().vmalloc(1 << 20); throw new IllegalStateException(\"no device\");"));
        HostException e = loadFails(thrower);
        assertThat(e.code()).isEqualTo(Errno.EINVAL);
        assertThat(e.getMessage()).contains("thr: init failed: java.lang.IllegalStateException: no device");
        assertThat(host.log().since(0)).anyMatch(r -> r.message().contains("thr: reclaimed after failed init: 1 kmalloc object(s) (64 bytes), 1 vmalloc region(s)"));

        host.sysctl().set("module.init_timeout_ms", "300");
        Path hang = TestModules.build(tmp.resolve("hang.jar"), TestModules.module("hang", "Thread.sleep(600_000);"));
        HostException h = loadFails(hang);
        assertThat(h.code()).isEqualTo(Errno.ETIMEDOUT);
        assertThat(h.getMessage()).contains("init did not return within 300 ms");
    }

    @Test
    void shouldUnloadAModuleStuckInExitWithoutBlockingLoadsAndTaintD() throws Exception {
        // close() spins ignoring interrupts until the test lets it go: the JVM cannot stop such a thread
        Path spin = TestModules.build(tmp.resolve("spin.jar"), Map.of("t.Spin", """
                package t;
                import dev.jdm.abi.*;
                import dev.jdm.abi.DriverModule;
                @DriverModule(name = "spin", license = "GPL")
                public final class Spin implements LoadableModule {
                    public Spin(ModuleContext ctx) {}
                    @Override public void close() {
                        while (!"1".equals(System.getProperty("jdm.test.spin.release"))) {
                            Thread.onSpinWait();
                        }
                    }
                }"""));
        Path other = TestModules.build(tmp.resolve("other.jar"), TestModules.module("other", ""));
        load(spin);
        host.sysctl().set("module.init_timeout_ms", "600000"); // the exit's limit: far beyond this test
        var own = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor(); // the common pool may have one worker
        var rmmod = java.util.concurrent.CompletableFuture.supplyAsync(() -> host.modules().unload("spin", false, false), own);
        try {
            while (Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("exit-spin"))) {
                Thread.sleep(5);
            }
            // while spin's exit runs, another module loads and unloads: exit does not hold the module lock
            var other1 = java.util.concurrent.CompletableFuture.supplyAsync(() -> load(other).name(), own);
            assertThat(other1.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("other");
            assertThat(catchHost(() -> host.modules().unload("spin", false, false)).getMessage()).contains("its exit is running");
            host.sysctl().set("module.init_timeout_ms", "100"); // not read again by the running exit
        } finally {
            System.setProperty("jdm.test.spin.release", "1");
        }
        assertThat(rmmod.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(ModuleManager.UnloadResult.UNLOADED);
        System.clearProperty("jdm.test.spin.release");

        load(TestModules.build(tmp.resolve("spin2.jar"), Map.of("t.Spin2", """
                package t;
                import dev.jdm.abi.*;
                import dev.jdm.abi.DriverModule;
                @DriverModule(name = "spin2", license = "GPL")
                public final class Spin2 implements LoadableModule {
                    public Spin2(ModuleContext ctx) {}
                    @Override public void close() {
                        while (!"1".equals(System.getProperty("jdm.test.spin2.release"))) {
                            Thread.onSpinWait();
                        }
                    }
                }""")));
        try {
            assertThat(host.modules().unload("spin2", false, false)).isEqualTo(ModuleManager.UnloadResult.UNLOADED);
            assertThat(host.modules().taints()).contains(Taint.STUCK_EXIT);
            assertThat(host.sysctl().get("kernel.tainted").orElseThrow()).contains("D");
            LoadedModule listed = host.modules().list().stream().filter(m -> m.name().equals("spin2")).findFirst().orElseThrow();
            assertThat(listed.taints()).as("lsmod shows the stuck module").contains(Taint.STUCK_EXIT);
            assertThat(listed.state()).isEqualTo(ModuleState.GOING);
            assertThat(host.log().since(0)).anyMatch(r -> r.message().contains("spin2: exit did not return within 100 ms")
                    && r.message().contains("exit-spin2 (stuck) still runs"));
        } finally {
            System.setProperty("jdm.test.spin2.release", "1");
        }
        for (int i = 0; i < 1000 && names().contains("spin2"); i++) {
            Thread.sleep(10);
        }
        assertThat(names()).as("listed until its thread ends").doesNotContain("spin2");
        System.clearProperty("jdm.test.spin2.release");
    }

    @Test
    void shouldRefuseRmmodOfABusyModuleThenUnloadWhenFree() throws IOException {
        Path dep = TestModules.build(bundled.resolve("base.jar"), Map.of(
                "b.Api", "package b; @dev.jdm.abi.Export public interface Api { int value(); }",
                "b.Base", """
                        package b;
                        import dev.jdm.abi.*;
                        import dev.jdm.abi.DriverModule;
                        @DriverModule(name = "base", license = "GPL")
                        public final class Base implements LoadableModule, Api {
                            public Base(ModuleContext ctx) { ctx.export(Api.class, this); }
                            public int value() { return 42; }
                            public void close() {}
                        }"""));
        Path user = TestModules.build(tmp.resolve("user.jar"), Map.of("u.User", """
                package u;
                import dev.jdm.abi.*;
                import dev.jdm.abi.DriverModule;
                @DriverModule(name = "user", license = "Proprietary")
                public final class User implements LoadableModule {
                    public User(ModuleContext ctx) {
                        if (ctx.lookup(b.Api.class).orElseThrow().value() != 42) throw new IllegalStateException();
                    }
                    public void close() {}
                }"""), dep);
        LoadedModule u = load(user);
        assertThat(u.info().depends()).containsExactly("base");
        assertThat(u.taints()).contains(Taint.PROPRIETARY, Taint.OUT_OF_TREE);
        LoadedModule base = host.modules().get("base").orElseThrow();
        assertThat(base.taints()).isEmpty();
        assertThat(base.holders()).containsExactly("user");

        HostException busy = catchHost(() -> host.modules().unload("base", false, false));
        assertThat(busy.code()).isEqualTo(Errno.EBUSY);
        assertThat(busy.getMessage()).contains("in use by: user");
        assertThat(host.modules().unload("base", true, false)).isEqualTo(ModuleManager.UnloadResult.SLATED);
        assertThat(base.state()).isEqualTo(ModuleState.GOING);
        host.modules().unload("user", false, false);
        assertThat(names()).doesNotContain("base", "user");
    }

    @Test
    void shouldRefuseLoadingAndUnloadingOnceLocked() throws IOException {
        Path jar = TestModules.build(tmp.resolve("lk.jar"), TestModules.module("lk", ""));
        load(jar);
        host.sysctl().set("module.load_locked", "1");
        Path other = TestModules.build(tmp.resolve("lk2.jar"), TestModules.module("lk2", ""));
        assertThat(loadFails(other).code()).isEqualTo(Errno.EPERM);
        assertThat(catchHost(() -> host.modules().unload("lk", false, false)).code()).isEqualTo(Errno.EPERM);
        assertThatThrownBy(() -> host.sysctl().set("module.load_locked", "0")).hasMessageContaining("cannot be cleared");
    }

    private static Path abiSource(String rel) {
        Path p = Path.of("..", "jdm-abi", "src", "main", "java", "dev", "jdm", "abi").resolve(rel);
        assertThat(p).exists();
        return p;
    }
}

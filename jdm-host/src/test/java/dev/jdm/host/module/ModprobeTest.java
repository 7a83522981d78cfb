package dev.jdm.host.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.host.TestModules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** modprobe by name and alias with soft and hard dependencies, modprobe -r, forced rmmod, and depmod's files. */
class ModprobeTest {
    @TempDir
    Path tmp;
    Path bundled;
    Host host;

    @BeforeEach
    void start() throws IOException {
        bundled = Files.createDirectories(tmp.resolve("bundled"));
        Path lib = TestModules.build(bundled.resolve("lib.jar"), Map.of(
                "l.Api", "package l; @dev.jdm.abi.Export public interface Api { int value(); }",
                "l.Lib", entry("l", "Lib", "@DriverModule(name = \"lib\", license = \"GPL\")", "ctx.export(Api.class, () -> 7);")));
        TestModules.build(bundled.resolve("top.jar"), Map.of("t.Top", entry("t", "Top", """
                @DriverModule(name = "top", license = "GPL")
                @Alias("blk:top*") @Alias("chr:top")
                @SoftDep(pre = "early", post = {"late", "absent"})""",
                "if (ctx.lookup(l.Api.class).orElseThrow().value() != 7) throw new IllegalStateException();")), lib);
        TestModules.build(bundled.resolve("early.jar"), Map.of("e.Early", entry("e", "Early", "@DriverModule(name = \"early\", license = \"GPL\")", "")));
        TestModules.build(bundled.resolve("late.jar"), Map.of("z.Late", entry("z", "Late", "@DriverModule(name = \"late\", license = \"GPL\")", "")));
        host = Host.start(new Host.Options(null, tmp.resolve("gate.sock"), tmp.resolve("state"), bundled, null));
    }

    private static String entry(String pkg, String cls, String annotations, String init) {
        return """
                package %s;
                import dev.jdm.abi.*;
                import dev.jdm.abi.DriverModule;
                %s
                public final class %s implements LoadableModule {
                    public %s(ModuleContext ctx) { %s }
                    public void close() {}
                }""".formatted(pkg, annotations, cls, cls, init);
    }

    @AfterEach
    void stop() {
        host.close();
    }

    private List<String> loaded() {
        return host.modules().list().stream().map(LoadedModule::name).sorted().toList();
    }

    @Test
    void shouldPlanAndLoadByAliasWithSoftDepsInOrder() {
        List<String> plan = host.modprobe().plan("blk:top0");
        assertThat(plan).hasSize(4);
        assertThat(plan.get(0)).endsWith("early.jar");
        assertThat(plan.get(1)).endsWith("lib.jar");
        assertThat(plan.get(2)).endsWith("top.jar");
        assertThat(plan.get(3)).endsWith("late.jar");
        assertThat(loaded()).doesNotContain("top"); // planning loads nothing

        assertThat(host.modprobe().load("blk:top0", Map.of())).containsExactly("early", "lib", "top", "late");
        assertThat(loaded()).contains("early", "lib", "top", "late");
        assertThat(host.modprobe().load("chr:top", Map.of())).isEmpty(); // already there
        assertThatThrownBy(() -> host.modprobe().load("blk:nothing", Map.of())).isInstanceOf(HostException.class)
                .hasMessageContaining("blk:nothing").hasMessageContaining("not found");
    }

    @Test
    void shouldRemoveUnusedDependenciesButKeepUsedOnes() {
        host.modprobe().load("top", Map.of());
        assertThat(host.modules().get("lib").orElseThrow().holders()).containsExactly("top");
        assertThat(host.modprobe().remove("top")).containsExactly("top", "lib");
        assertThat(loaded()).doesNotContain("top", "lib").contains("early", "late");
    }

    @Test
    void shouldForceUnloadABusyModuleAndTaint() {
        host.modprobe().load("top", Map.of());
        assertThat(host.modules().unload("lib", false, true)).isEqualTo(ModuleManager.UnloadResult.UNLOADED);
        assertThat(loaded()).doesNotContain("lib");
        assertThat(host.modules().taints()).contains(Taint.FORCED);
    }

    @Test
    void shouldWriteDepmodFilesInKmodsTextFormats() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("depmod"));
        Depmod.Result r = Depmod.run(host.modules().index(), out);
        assertThat(r.modules()).isEqualTo(4);
        assertThat(r.problems()).isEmpty();
        List<String> dep = Files.readAllLines(out.resolve("modules.dep"));
        // kmod: "path: dep-path ..." with the module's own path first
        assertThat(dep).anySatisfy(l -> assertThat(l).matches(".*top\\.jar: .*lib\\.jar"));
        assertThat(dep).anySatisfy(l -> assertThat(l).matches(".*lib\\.jar:"));
        assertThat(Files.readAllLines(out.resolve("modules.alias"))).contains("alias blk:top* top", "alias chr:top top");
        assertThat(Files.readAllLines(out.resolve("modules.symbols"))).anySatisfy(l -> assertThat(l).startsWith("alias symbol:l.Api").endsWith(" lib"));
    }
}

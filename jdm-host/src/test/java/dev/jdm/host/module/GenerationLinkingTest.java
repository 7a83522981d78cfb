package dev.jdm.host.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import dev.jdm.host.TestModules;
import dev.jdm.symvers.AlteredAbi;
import dev.jdm.symvers.AbiModel;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.ModInfo;
import dev.jdm.symvers.TestCompiler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The linker and ABI generations: which generations a host serves, a module built against a
 * released one linking through its baseline, revocations refused with their advisory, and native
 * code refused. Hosts of other generations are played by linkers over altered copies of the ABI.
 */
class GenerationLinkingTest {
    static final AbiModel REAL = AbiModel.fromClassPath();
    static final String LOGS = "ctx.log().info(\"up\");";

    @TempDir
    Path tmp;
    final List<String> warnings = new ArrayList<>();

    /** A linker over the real ABI with {@code sources} compiled over it, serving {@code generation}, with extra metadata. */
    Linker hostOf(String generation, Map<String, String> sources, Map<String, String> metadata) {
        return new Linker(new ExportTable(AlteredAbi.model("host-abi", AlteredAbi.classes(sources), generation, metadata)), warnings::add);
    }

    static Linker.Linked link(Linker linker, Path jar) {
        JarContents contents = JarContents.read(jar);
        ModInfo info = linker.readModInfo(contents, jar.toString());
        return linker.link(contents, jar.toString(), info, List.of(), false);
    }

    /** The same JAR with its modinfo's abi= line replaced. */
    Path withAbi(Path jar, String generation) throws IOException {
        JarContents c = JarContents.read(jar);
        Map<String, String> meta = new HashMap<>();
        c.metadata().forEach((k, v) -> meta.put(k, new String(v, StandardCharsets.UTF_8)));
        meta.put("modinfo", meta.get("modinfo").replaceFirst("(?m)^abi=.*$", "abi=" + generation));
        return TestModules.raw(tmp.resolve("abi-" + generation + ".jar"), c.classes(), meta);
    }

    static HostException refused(Runnable r) {
        try {
            r.run();
        } catch (HostException e) {
            assertThat(e.code()).isEqualTo(Errno.ENOEXEC);
            return e;
        }
        throw new AssertionError("expected the module to be refused");
    }

    @Test
    void shouldRefuseAModuleNeedingANewerGenerationNamingIt() throws IOException {
        Path jar = withAbi(TestModules.build(tmp.resolve("new.jar"), TestModules.module("newer", LOGS)), "JDM_9.7");
        HostException e = refused(() -> link(hostOf(REAL.generation(), Map.of(), Map.of()), jar));
        assertThat(e.getMessage()).isEqualTo("newer: needs ABI generation JDM_9.7, which this host lacks (it serves "
                + REAL.generation() + " and older); load it on a newer host, or build it against " + REAL.generation());
    }

    @Test
    void shouldRefuseAGenerationThatWasNeverReleased() throws IOException {
        Path jar = withAbi(TestModules.build(tmp.resolve("dev.jar"), TestModules.module("devbuild", LOGS)), "JDM_8.2");
        HostException e = refused(() -> link(hostOf("JDM_8.3", Map.of(), Map.of()), jar));
        assertThat(e.getMessage()).contains("devbuild: built for ABI generation JDM_8.2, which was never released")
                .contains("the released [JDM_1.0, ");
        Path unparsable = withAbi(jar, "1.0");
        assertThat(refused(() -> link(hostOf("JDM_8.3", Map.of(), Map.of()), unparsable)).getMessage())
                .contains("modinfo abi=: not an ABI generation: \"1.0\"");
    }

    @Test
    void shouldLinkAReleasedGenerationsFingerprintsThroughItsBaseline() throws IOException {
        // Kmem gains a constant in a later generation: every symbol reaching Kmem gets a new fingerprint
        String kmem = Files.readString(Path.of("../jdm-abi/src/main/java/dev/jdm/abi/mem/Kmem.java"))
                .replace("public interface Kmem {", "public interface Kmem {\n    int GFP_LATER = 64;");
        Linker later = hostOf("JDM_9.0", Map.of("dev.jdm.abi.mem.Kmem", kmem), Map.of());
        Path built10 = withAbi(TestModules.build(tmp.resolve("old.jar"), TestModules.module("old",
                "ctx.kmem().kfree(ctx.kmem().kmalloc(64, Kmem.GFP_KERNEL));")), "JDM_1.0");
        Linker.Linked linked = link(later, built10);
        assertThat(linked.generation()).hasToString("JDM_1.0");
        assertThat(linked.fromBaseline()).as("kmalloc, kfree and kmem() resolved through the JDM_1.0 baseline").isGreaterThanOrEqualTo(3);
        assertThat(linked.mismatches()).isZero();

        // the same fingerprints from a build that claims the unreleased generation differ from the host's,
        // but only by a constant the module cannot have inlined: compatible, fact by fact
        Path claimsLater = withAbi(built10, "JDM_9.0");
        Linker.Linked compatible = link(later, claimsLater);
        assertThat(compatible.fromBaseline()).isZero();
        assertThat(compatible.compatible()).isGreaterThanOrEqualTo(3);

        // a constant the module names changed value: it may have inlined it, so it is refused, naming it
        Linker changedValue = hostOf("JDM_9.0", Map.of("dev.jdm.abi.mem.Kmem", kmem.replace("int GFP_KERNEL = 0;", "int GFP_KERNEL = 16;")), Map.of());
        assertThat(refused(() -> link(changedValue, claimsLater)).getMessage())
                .contains("disagrees about version of symbol dev.jdm.abi.mem.Kmem#GFP_KERNEL:I")
                .contains("its value changed from 0 to 16; the module may have inlined 0");
        // one it does not name cannot be in its bytecode
        Linker otherValue = hostOf("JDM_9.0", Map.of("dev.jdm.abi.mem.Kmem", kmem.replace("int GFP_ZERO = 1;", "int GFP_ZERO = 8;")), Map.of());
        assertThat(link(otherValue, claimsLater).compatible()).isPositive();
    }

    @Test
    void shouldRefuseARevokedSymbolQuotingTheAdvisory() throws IOException {
        String toml = """
                [[revoked]]
                symbol = "dev.jdm.abi.Log#info(Ljava/lang/String;)V"
                generation = "%s"
                advisory = "JDM-SA-TEST-7"
                text = "info() leaked secrets into the log; use log(LogLevel, String)"
                """.formatted(REAL.generation());
        Path jar = TestModules.build(tmp.resolve("rev.jar"), TestModules.module("revoked-user", LOGS));
        String expected = "revoked-user: imports dev.jdm.abi.Log#info(Ljava/lang/String;)V, revoked in " + REAL.generation() + " by advisory JDM-SA-TEST-7: "
                + "info() leaked secrets into the log; use log(LogLevel, String)";
        assertThat(refused(() -> link(hostOf(REAL.generation(), Map.of(), Map.of("revoked.toml", toml)), jar)).getMessage()).isEqualTo(expected);

        // and once the method is gone from the ABI, the advisory still comes before "unknown symbol"
        String log = Files.readString(Path.of("../jdm-abi/src/main/java/dev/jdm/abi/Log.java"));
        String withoutInfo = log.replaceAll("(?s)\\s*/\\*\\*[^/]*\\*/\\s*default void info\\(String message\\) \\{[^}]*\\}", "");
        assertThat(withoutInfo).isNotEqualTo(log);
        Linker revokedHost = hostOf(REAL.generation(), Map.of("dev.jdm.abi.Log", withoutInfo), Map.of("revoked.toml", toml));
        assertThat(refused(() -> link(revokedHost, jar)).getMessage()).startsWith(expected).contains("(referenced from t.Mrevoked_user)");
        // a module that does not import it is untouched
        Path other = TestModules.build(tmp.resolve("other.jar"), TestModules.module("other", "ctx.log().warn(\"w\");"));
        assertThat(link(revokedHost, other).imports()).isPositive();
    }

    @Test
    void shouldRefuseNativeCode() throws IOException {
        Path jar = TestModules.build(tmp.resolve("plain.jar"), TestModules.module("native-carrier", LOGS));
        JarContents c = JarContents.read(jar);
        Map<String, byte[]> resources = new HashMap<>();
        c.metadata().forEach((k, v) -> resources.put("META-INF/jdm/" + k, v));
        resources.put("lib/x86_64/libfast.so.1", new byte[] {0x7f, 'E', 'L', 'F'});
        Path withSo = TestCompiler.writeJar(tmp.resolve("native.jar"), c.classes(), resources);
        assertThat(JarContents.read(withSo).nativeCode()).containsOnlyKeys("lib/x86_64/libfast.so.1");
        assertThat(JarContents.read(withSo).nativeCode().get("lib/x86_64/libfast.so.1")).startsWith(0x7f, 'E', 'L', 'F');
        assertThat(refused(() -> link(hostOf(REAL.generation(), Map.of(), Map.of()), withSo)).getMessage())
                .isEqualTo("native-carrier: carries native code (lib/x86_64/libfast.so.1) without declaring it"
                        + " (@DriverModule(nativeCode = true), modinfo native=y)");
        assertThatThrownBy(() -> JarContents.read(jar).nativeCode().put("x", new byte[0])).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void shouldRefuseASecurityModuleWhoseOverriddenHookChangedShape() throws IOException {
        Map<String, String> guard = Map.of("t.Guard", """
                package t;
                import dev.jdm.abi.*;
                import dev.jdm.abi.sec.*;
                @DriverModule(name = "guard", license = "GPL")
                public final class Guard implements LoadableModule {
                    public Guard(ModuleContext ctx) {
                        ctx.security().register(new SecurityModule() {
                            @Override public Vote devOpen(TaskCred task, Object data, DevOpen open) {
                                return (open.access() & DevOpen.WRITE) != 0 ? Vote.deny("read-only site") : Vote.NO_OPINION;
                            }
                        });
                    }
                    @Override public void close() {}
                }
                """);
        Path jar = TestModules.build(tmp.resolve("guard.jar"), guard);
        assertThat(JarContents.read(jar).metadataText("versions").orElseThrow()).contains("dev.jdm.abi.sec.SecurityModule#devOpen(");
        assertThat(link(hostOf(REAL.generation(), Map.of(), Map.of()), jar).imports()).isPositive();

        // a host whose devOpen hook takes one more argument: the module's devOpen overrides nothing there
        String sec = Files.readString(Path.of("../jdm-abi/src/main/java/dev/jdm/abi/sec/SecurityModule.java"))
                .replace("default Vote devOpen(TaskCred task, Object data, DevOpen open) {",
                        "default Vote devOpen(TaskCred task, Object data, DevOpen open, int flags) {");
        Linker changed = hostOf("JDM_9.0", Map.of("dev.jdm.abi.sec.SecurityModule", sec), Map.of());
        Path claims90 = withAbi(jar, "JDM_9.0");
        assertThat(refused(() -> link(changed, claims90)).getMessage()).isEqualTo("guard: was built against "
                + "dev.jdm.abi.sec.SecurityModule#devOpen(Ldev/jdm/abi/sec/TaskCred;Ljava/lang/Object;Ldev/jdm/abi/sec/DevOpen;)Ldev/jdm/abi/sec/Vote;,"
                + " which this host does not have; if the module overrides it, the override would never be called;"
                + " rebuild the module against this host's jdm-abi");
    }

    @Test
    void shouldRefuseAModuleImplementingAProvidedTypeAtLoad() throws IOException {
        Map<String, byte[]> classes = TestModules.compile(Map.of("t.Fake", """
                package t;
                import dev.jdm.abi.*;
                @DriverModule(name = "fake", license = "GPL")
                public final class Fake implements LoadableModule, Params {
                    public Fake(ModuleContext ctx) {}
                    @Override public void close() {}
                    public String string(String n) { return ""; }
                    public long longValue(String n) { return 0; }
                    public boolean bool(String n) { return false; }
                }
                """));
        Path jar = TestModules.raw(tmp.resolve("fake.jar"), classes, Map.of("modinfo",
                "name=fake\nlicense=GPL\nabi=" + REAL.generation() + "\nentry=t.Fake\n", "versions", ""));
        assertThat(refused(() -> link(hostOf(REAL.generation(), Map.of(), Map.of()), jar)).getMessage())
                .isEqualTo("fake: t.Fake implements dev.jdm.abi.Params, but it is a provided type: the host implements it and a later"
                        + " generation may add methods to it; a module only uses it");
    }
}

package dev.jdm.host.module;

import dev.jdm.host.config.NbdOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.host.TestModules;
import dev.jdm.symvers.JarContents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A module built against a newer generation than the host's, stating an older minimum: it loads,
 * probes with {@code ctx.abi()} and falls back; without the stated minimum it is refused.
 */
class AbiProbingTest {
    static final String NEWER = "JDM_9.0";
    /** The real Kmem plus a method a later generation might add. */
    static final String KMEM_WITH_TRIM;

    static {
        try {
            KMEM_WITH_TRIM = Files.readString(Path.of("../jdm-abi/src/main/java/dev/jdm/abi/mem/Kmem.java"))
                    .replace("public interface Kmem {", "public interface Kmem {\n    long trim();");
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @TempDir
    Path tmp;
    Host host;

    @BeforeEach
    void start() throws IOException {
        host = Host.start(new Host.Options(null, tmp.resolve("gate.sock"), tmp.resolve("state"), Files.createDirectories(tmp.resolve("none")),
                null, new NbdOptions(null, "off", List.of())));
    }

    @AfterEach
    void stop() {
        host.close();
    }

    static Map<String, String> prober(String minimum) {
        return Map.of("t.Prober", """
                package t;
                import dev.jdm.abi.*;
                @DriverModule(name = "prober", license = "GPL"%s)
                public final class Prober implements LoadableModule {
                    public Prober(ModuleContext ctx) {
                        if (ctx.abi().exports("dev.jdm.abi.mem.Kmem#trim()J")) {
                            ctx.log().info("trimmed " + ctx.kmem().trim());
                        } else {
                            ctx.log().info("no trim on " + ctx.abi().generation() + "; falling back"
                                    + (ctx.abi().serves("JDM_1.0") ? ", JDM_1.0 served" : ""));
                        }
                    }
                    @Override public void close() {}
                }
                """.formatted(minimum == null ? "" : ", abi = \"" + minimum + "\""));
    }

    @Test
    void shouldLoadANewerModuleThatStatesAnOlderMinimumAndLetItFallBack() throws IOException {
        String current = host.exports().released().latestReleased().orElseThrow().toString(); // the newest a module can be built against
        Path jar = TestModules.buildAgainstAlteredAbi(tmp.resolve("prober.jar"), NEWER, Map.of("dev.jdm.abi.mem.Kmem", KMEM_WITH_TRIM),
                prober(current));
        String modinfo = JarContents.read(jar).metadataText("modinfo").orElseThrow();
        assertThat(modinfo).contains("abi=" + current + "\n").contains("built=" + NEWER + "\n");

        LoadedModule m = host.modules().load(JarContents.read(jar), jar.toString(), Map.of(), false);
        assertThat(m.state()).isEqualTo(ModuleState.LIVE);
        assertThat(host.log().since(0)).anyMatch(r -> r.message().equals("no trim on " + host.exports().released().current() + "; falling back, JDM_1.0 served"))
                .anyMatch(r -> r.message().contains("prober: loaded from") && r.message().contains("1 optional not served here"));
    }

    @Test
    void shouldRefuseTheSameModuleWithoutTheStatedMinimum() throws IOException {
        Path jar = TestModules.buildAgainstAlteredAbi(tmp.resolve("prober.jar"), NEWER, Map.of("dev.jdm.abi.mem.Kmem", KMEM_WITH_TRIM),
                prober(null));
        assertThatThrownBy(() -> host.modules().load(JarContents.read(jar), jar.toString(), Map.of(), false))
                .isInstanceOf(HostException.class).hasMessageContaining("prober: needs ABI generation " + NEWER + ", which this host lacks");
    }

    @Test
    void shouldRefuseAMinimumTheBuildsAbiDoesNotServe() {
        assertThatThrownBy(() -> TestModules.buildAgainstAlteredAbi(tmp.resolve("p.jar"), NEWER, Map.of("dev.jdm.abi.mem.Kmem", KMEM_WITH_TRIM),
                prober("JDM_1.5"))).hasMessageContaining("JDM_1.5 is not a generation this ABI serves");
    }
}

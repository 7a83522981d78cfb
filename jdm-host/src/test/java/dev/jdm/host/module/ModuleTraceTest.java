package dev.jdm.host.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.host.TestModules;
import dev.jdm.host.log.LogRecord;
import dev.jdm.symvers.JarContents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A module's failing init leaves its trace in the host's log under the module: the first line names
 * the module and where it ran, each frame of its own code carries its class loader,
 * jdm-module-NAME@VERSION, and the host's frames between are folded; colocated and in a domain.
 */
class ModuleTraceTest {
    @TempDir
    Path tmp;

    private static Map<String, String> failing() {
        return Map.of("t.Boom", """
                package t;
                import dev.jdm.abi.*;
                import dev.jdm.abi.DriverModule;
                @DriverModule(name = "boom", version = "2.5", license = "GPL")
                public final class Boom implements LoadableModule {
                    public Boom(ModuleContext ctx) {
                        check("disk");
                    }
                    private static void check(String x) {
                        throw new IllegalStateException("no " + x);
                    }
                    @Override public void close() {}
                }
                """);
    }

    private List<String> traceAfterFailedLoad(Map<String, String> params) throws Exception {
        Path jar = TestModules.build(tmp.resolve("boom.jar"), failing());
        try (Host host = Host.start(new Host.Options(null, tmp.resolve("gate.sock"), tmp.resolve("state"),
                Files.createDirectories(tmp.resolve("b")), null))) {
            assertThatThrownBy(() -> host.modules().load(JarContents.read(jar), jar.toString(), params, false))
                    .isInstanceOf(HostException.class).hasMessageContaining("no disk");
            return host.log().since(0).stream().filter(r -> r.source().equals("boom")).map(LogRecord::message).toList();
        }
    }

    @Test
    void shouldLogAColocatedModulesTraceWithItsVersionedLoader() throws Exception {
        List<String> trace = traceAfterFailedLoad(Map.of());
        assertThat(trace.get(0)).isEqualTo("boom (colocated): java.lang.IllegalStateException: no disk");
        assertThat(trace).contains("  at jdm-module-boom@2.5//t.Boom.check(Boom.java:10)", "  at jdm-module-boom@2.5//t.Boom.<init>(Boom.java:7)")
                .anyMatch(l -> l.matches("  \\.\\.\\. \\d+ frames of the host and the JDK"));
    }

    @Test
    void shouldLogADomainModulesTraceNamingTheDomainAndItsPid() throws Exception {
        List<String> trace = traceAfterFailedLoad(Map.of("domain", "isolated:traces"));
        assertThat(trace.get(0)).matches("boom \\(isolated:traces, pid \\d+\\): java.lang.IllegalStateException: no disk");
        assertThat(trace).contains("  at jdm-module-boom@2.5//t.Boom.check(Boom.java:10)");
    }

    @Test
    void shouldCutAnEndlessTrace() {
        Throwable deep = new RuntimeException("deep");
        for (int i = 0; i < 10; i++) {
            deep = new RuntimeException("wrap " + i, deep);
        }
        assertThat(ModuleTrace.lines("m", "colocated", deep)).hasSizeLessThanOrEqualTo(40).last().asString().contains("cut");
    }
}

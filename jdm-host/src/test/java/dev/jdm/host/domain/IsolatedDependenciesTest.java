package dev.jdm.host.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.errno.Errno;
import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.host.TestModules;
import dev.jdm.host.log.LogRecord;
import dev.jdm.symvers.JarContents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A module with a dependency in an isolated domain: the dependency is loaded into the same domain
 * (the two share a JVM, so the user calls its export directly), a dependency running elsewhere is
 * refused with the way out, and the user finds the export after a restart of the domain.
 */
class IsolatedDependenciesTest {
    @TempDir
    Path tmp;
    Path bundle;
    Path counter;
    Path user;

    @BeforeEach
    void build() throws Exception {
        bundle = Files.createDirectories(tmp.resolve("bundle"));
        counter = TestModules.build(bundle.resolve("counter.jar"), Map.of("c.Counter", """
                package c;
                import dev.jdm.abi.Export;
                @Export
                public interface Counter {
                    int next();
                }
                """, "c.CounterModule", """
                package c;
                import dev.jdm.abi.*;
                import dev.jdm.abi.DriverModule;
                @DriverModule(name = "counter", license = "GPL")
                public final class CounterModule implements LoadableModule {
                    public CounterModule(ModuleContext ctx) {
                        int[] n = {0};
                        ctx.export(Counter.class, () -> ++n[0]);
                    }
                    @Override public void close() {}
                }
                """));
        user = TestModules.build(tmp.resolve("user.jar"), Map.of("u.User", """
                package u;
                import dev.jdm.abi.*;
                import dev.jdm.abi.DriverModule;
                @DriverModule(name = "user", license = "GPL")
                public final class User implements LoadableModule {
                    public User(ModuleContext ctx) {
                        c.Counter counter = ctx.lookup(c.Counter.class).orElseThrow();
                        ctx.log().info("counted " + counter.next() + ", " + counter.next());
                    }
                    @Override public void close() {}
                }
                """), counter);
    }

    private Host host() throws Exception {
        return Host.start(new Host.Options(null, tmp.resolve("gate.sock"), tmp.resolve("state"), bundle, null));
    }

    private static boolean logged(Host host, String text) {
        return host.log().since(0).stream().map(LogRecord::message).anyMatch(m -> m.contains(text));
    }

    @Test
    void shouldLoadTheDependencyIntoTheSameDomainAndCallItsExportThere() throws Exception {
        try (Host host = host()) {
            host.modules().load(JarContents.read(user), user.toString(), Map.of("domain", "isolated:pair"), false);
            assertThat(host.modules().get("counter").orElseThrow().domain()).isEqualTo("isolated:pair");
            assertThat(host.modules().get("user").orElseThrow().domain()).isEqualTo("isolated:pair");
            assertThat(logged(host, "user: loading dependency counter from ")).isTrue();
            assertThat(logged(host, " into isolated:pair")).isTrue();
            assertThat(logged(host, "counted 1, 2")).as("the user called the export in the domain").isTrue();
            assertThat(host.domains().find("pair").orElseThrow().modules()).containsExactly("counter", "user");

            Domain pair = host.domains().find("pair").orElseThrow();
            long pid = pair.pid();
            pair.kill();
            for (int i = 0; i < 300 && !(pair.alive() && pair.pid() != pid && pair.restarts() == 1); i++) {
                Thread.sleep(50);
            }
            assertThat(pair.restarts()).isEqualTo(1);
            assertThat(host.log().since(0).stream().map(LogRecord::message).filter(m -> m.contains("counted 1, 2")).count())
                    .as("reloaded in order: the dependency first, then its user, which found the export again").isEqualTo(2);
        }
    }

    @Test
    void shouldRefuseADependencyThatRunsInAnotherDomain() throws Exception {
        try (Host host = host()) {
            host.modules().load(JarContents.read(counter), counter.toString(), Map.of(), false);
            assertThatThrownBy(() -> host.modules().load(JarContents.read(user), user.toString(), Map.of("domain", "isolated:pair"), false))
                    .isInstanceOfSatisfying(HostException.class, e -> {
                        assertThat(e.code()).isEqualTo(Errno.EINVAL);
                        assertThat(e.getMessage()).isEqualTo("user: runs isolated:pair, but its dependency counter runs colocated;"
                                + " a module uses only modules of its own domain (unload counter, or load user where counter runs)");
                    });
            assertThat(host.modules().get("user")).isEmpty();
        }
    }
}

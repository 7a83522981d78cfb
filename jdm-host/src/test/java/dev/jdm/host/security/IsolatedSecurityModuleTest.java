package dev.jdm.host.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.host.TestModules;
import dev.jdm.host.task.Task;
import dev.jdm.symvers.JarContents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A security module in an isolated domain votes on the host's checks (its class exists only in the
 * domain's JVM), keeps per-task data there, and fails closed: a hook that does not return is
 * failed by the host's watchdog, and from then on the module denies; a module whose domain is gone
 * denies too.
 */
class IsolatedSecurityModuleTest {
    @TempDir
    Path tmp;
    Host host;

    @BeforeEach
    void start() throws IOException {
        host = Host.start(new Host.Options(null, tmp.resolve("gate.sock"), tmp.resolve("state"), Files.createDirectories(tmp.resolve("b")), null));
        host.sysctl().set("security.hook_timeout_ms", "1000");
    }

    @AfterEach
    void stop() {
        host.close();
    }

    /** Denies dev_open to uid 1000 (naming how many checks that task had), hangs on uid 2000's, and has no opinion otherwise. */
    private void loadGuard() throws IOException {
        Path jar = TestModules.build(tmp.resolve("g.jar"), Map.of("t.Guard", """
                package t;
                import dev.jdm.abi.*;
                import dev.jdm.abi.DriverModule;
                import dev.jdm.abi.sec.*;
                @DriverModule(name = "guard", license = "GPL")
                public final class Guard implements LoadableModule {
                    public Guard(ModuleContext ctx) {
                        ctx.security().register(new SecurityModule() {
                            @Override public Object taskData(TaskCred t) {
                                return new java.util.concurrent.atomic.AtomicInteger();
                            }
                            @Override public Vote devOpen(TaskCred t, Object d, DevOpen o) {
                                int n = ((java.util.concurrent.atomic.AtomicInteger) d).incrementAndGet();
                                if (t.uid() == 2000) {
                                    long end = System.nanoTime() + 5_000_000_000L;
                                    while (System.nanoTime() < end) {
                                        n++;
                                    }
                                }
                                return t.uid() == 1000 ? Vote.deny("not you, check " + n + " of " + o.name()) : Vote.NO_OPINION;
                            }
                        });
                    }
                    @Override public void close() {}
                }
                """));
        host.modules().load(JarContents.read(jar), jar.toString(), Map.of("domain", "isolated:sec"), false);
    }

    private Task task(int uid) {
        return StackFixture.task(host, uid);
    }

    private String devOpen(Task t) {
        return StackFixture.devOpen(host, t);
    }

    @Test
    void shouldVoteFromTheDomainWithItsOwnTaskData() throws IOException {
        loadGuard();
        assertThat(host.modules().get("guard").orElseThrow().domain()).isEqualTo("isolated:sec");
        assertThat(host.security().list()).anyMatch(r -> r.name().equals("guard") && r.state().equals("live"));
        Task stranger = task(1000);
        assertThat(devOpen(stranger)).isEqualTo("EACCES: dev_open block ram0 access=rw owner=0 group=6 mode=0660 denied by guard: not you, check 1 of ram0");
        assertThat(devOpen(stranger)).as("the task's data, kept in the domain").endsWith("check 2 of ram0");
        assertThat(devOpen(task(1000))).as("another task, its own data").endsWith("check 1 of ram0");
        assertThat(devOpen(task(0))).isEqualTo("allow");
    }

    @Test
    void shouldFailAHungModuleClosedAndDenyOnceItsDomainIsGone() throws IOException {
        loadGuard();
        Task root = task(0);
        Task hanging = task(2000);
        long t0 = System.nanoTime();
        assertThat(devOpen(hanging)).as("a vote that does not come is a deny").startsWith("EACCES: ").contains("guard");
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms: the watchdog's 1000 ms, not the module's 5 s").isLessThan(4_500);
        assertThat(host.security().list()).anyMatch(r -> r.name().equals("guard")
                && r.failure().equals("hook dev_open did not return within 1000 ms (security.hook_timeout_ms)"));
        assertThat(devOpen(root)).as("a failed module denies everything").startsWith("EACCES: ");
        assertThatThrownBy(() -> task(0)).as("new tasks too (task_alloc)").isInstanceOf(HostException.class).hasMessageContaining("fail closed");
    }

    @Test
    void shouldDenyWhileItsDomainIsNotRunning() throws Exception {
        loadGuard();
        Task root = task(0);
        assertThat(devOpen(root)).isEqualTo("allow");
        var domain = host.domains().find("sec").orElseThrow();
        long pid = domain.pid();
        domain.kill();
        for (int i = 0; i < 100 && domain.pid() == pid && domain.alive(); i++) {
            Thread.sleep(20); // until the host has seen the exit
        }
        String during = devOpen(root);
        assertThat(during.equals("allow") || during.startsWith("EACCES: ")).as(during).isTrue();
        for (int i = 0; i < 300 && !(domain.alive() && domain.pid() != pid); i++) {
            Thread.sleep(50);
        }
        assertThat(domain.restarts()).as("restarted").isEqualTo(1);
        assertThat(devOpen(task(1000))).as("the restarted module votes again, through the same proxy").contains("denied by guard: not you, check 1");
    }
}

package dev.jdm.host.security;

import dev.jdm.errno.Errno;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.host.TestModules;
import dev.jdm.host.module.LoadedModule;
import dev.jdm.host.module.ModuleManager;
import dev.jdm.host.task.Credentials;
import dev.jdm.host.task.Task;
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

/** Security modules as real loadable modules in a host: drain on rmmod, replace, stack lock, permissive mode, unwinding. */
class SecurityModulesTest {
    @TempDir
    Path tmp;
    Host host;

    @BeforeEach
    void start() throws IOException {
        host = Host.start(new Host.Options(null, tmp.resolve("gate.sock"), tmp.resolve("state"), Files.createDirectories(tmp.resolve("b")), null));
    }

    @AfterEach
    void stop() {
        host.close();
    }

    /** A module named {@code name} that denies dev_open to uid 1000 with {@code reason}, and logs its exit. */
    private Path guard(String file, String name, String reason, String extraInit) throws IOException {
        return TestModules.build(tmp.resolve(file), Map.of("t.Guard", """
                package t;
                import dev.jdm.abi.*;
                import dev.jdm.abi.DriverModule;
                import dev.jdm.abi.sec.*;
                @DriverModule(name = "%s", license = "GPL")
                public final class Guard implements LoadableModule {
                    private final ModuleContext ctx;
                    public Guard(ModuleContext ctx) {
                        this.ctx = ctx;
                        ctx.security().register(new SecurityModule() {
                            @Override public Vote devOpen(TaskCred t, Object d, DevOpen o) {
                                return t.uid() == 1000 ? Vote.deny("%s") : Vote.NO_OPINION;
                            }
                            @Override public Vote moduleLoad(TaskCred t, Object d, ModuleOp m) {
                                return t.uid() == 0 ? Vote.ALLOW : Vote.deny(Vote.EPERM, "only root loads");
                            }
                        });
                        %s
                    }
                    @Override public void close() { ctx.log().info("exit of %s"); }
                }
                """.formatted(name, reason, extraInit, reason)));
    }

    private LoadedModule load(Path jar, Map<String, String> params) {
        return host.modules().load(JarContents.read(jar), jar.toString(), params, false);
    }

    private Task task(int uid) {
        return StackFixture.task(host, uid);
    }

    private String devOpen(Task t) {
        return StackFixture.devOpen(host, t);
    }

    private String log() {
        StringBuilder b = new StringBuilder();
        host.log().since(1).forEach(r -> b.append(r.source()).append(": ").append(r.message()).append('\n'));
        return b.toString();
    }

    @Test
    void shouldDrainAHeldSecurityModuleOnRmmodAndUnloadItWithItsLastTask() throws IOException {
        load(guard("g.jar", "guard", "not you", ""), Map.of());
        Task t = task(1000);
        assertThat(devOpen(t)).isEqualTo("EACCES: dev_open block ram0 access=rw owner=0 group=6 mode=0660 denied by guard: not you");
        assertThat(host.modules().unload("guard", false, false)).isEqualTo(ModuleManager.UnloadResult.SLATED);
        assertThat(devOpen(t)).as("no gap: it keeps enforcing for its tasks").contains("denied by guard");
        assertThat(devOpen(task(1000))).as("it attaches to no new task").isEqualTo("allow");
        assertThat(host.security().list()).anyMatch(r -> r.name().equals("guard") && r.state().equals("draining") && r.refs() == 1);
        assertThat(log()).doesNotContain("exit of not you");
        host.tasks().exit(t);
        assertThat(host.modules().get("guard")).isEmpty();
        assertThat(log()).contains("exit of not you").contains("guard: unloaded");
        assertThat(host.security().list()).anyMatch(r -> r.name().equals("guard") && r.state().equals("gone"));
    }

    @Test
    void shouldRefuseSecurityModulesOnceTheStackIsLockedEvenForTheHost() throws IOException {
        load(guard("a.jar", "first", "a", ""), Map.of());
        host.sysctl().set("security.stack_locked", "1");
        List<String> before = host.modules().list().stream().map(LoadedModule::name).toList();
        assertThatThrownBy(() -> load(guard("b.jar", "second", "b", ""), Map.of())).isInstanceOf(HostException.class)
                .hasMessageContaining("security.stack_locked=1").extracting(e -> ((HostException) e).code()).isEqualTo(Errno.EPERM);
        assertThat(host.modules().list().stream().map(LoadedModule::name).toList()).isEqualTo(before);
        assertThatThrownBy(() -> host.modules().unload("first", true, true)).hasMessageContaining("security.stack_locked=1");
        Path plain = TestModules.build(tmp.resolve("plain.jar"), TestModules.module("plain", ""));
        assertThat(load(plain, Map.of()).name()).as("other modules still load").isEqualTo("plain");
    }

    @Test
    void shouldReplaceUnderTheSameNameWithNoWindowAndDrainTheOld() throws IOException {
        load(guard("v1.jar", "guard", "v1", ""), Map.of());
        Task old = task(1000);
        Path v2 = guard("v2.jar", "guard", "v2", "");
        host.modules().replace("guard", JarContents.read(v2), v2.toString(), Map.of());
        assertThat(devOpen(old)).as("both enforce for the old task").contains("denied by guard: v1");
        assertThat(devOpen(task(1000))).contains("denied by guard: v2");
        assertThat(host.modules().list()).filteredOn(m -> m.name().equals("guard")).hasSize(2);
        host.tasks().exit(old);
        assertThat(host.modules().list()).filteredOn(m -> m.name().equals("guard")).hasSize(1);
        assertThat(log()).contains("exit of v1").doesNotContain("exit of v2");
    }

    @Test
    void shouldKeepTheOldModuleWhenTheReplacementFails() throws IOException {
        load(guard("v1.jar", "guard", "v1", ""), Map.of());
        Path broken = guard("v2.jar", "guard", "v2", "if (true) throw new IllegalStateException(\"v2 refuses\");");
        assertThatThrownBy(() -> host.modules().replace("guard", JarContents.read(broken), broken.toString(), Map.of()))
                .hasMessageContaining("v2 refuses");
        assertThat(devOpen(task(1000))).contains("denied by guard: v1");
        assertThat(host.security().list()).filteredOn(r -> r.state().equals("live")).extracting(Security.Row::name).containsExactly("guard");
    }

    @Test
    void shouldLoadInPermissiveModeAndRefuseAnUnknownMode() throws IOException {
        Path jar = guard("g.jar", "guard", "shadow", "");
        assertThatThrownBy(() -> load(jar, Map.of("mode", "lenient"))).hasMessageContaining("mode=lenient");
        load(jar, Map.of("mode", "permissive"));
        assertThat(devOpen(task(1000))).isEqualTo("allow");
        assertThat(host.security().list()).anyMatch(r -> r.name().equals("guard") && r.permissive());
    }

    @Test
    void shouldCheckModuleLoadAsTheCallingTask() throws Exception {
        load(guard("g.jar", "guard", "x", ""), Map.of());
        Path plain = TestModules.build(tmp.resolve("plain.jar"), TestModules.module("plain", ""));
        Task user = task(1000);
        assertThatThrownBy(() -> ScopedValue.where(Security.CALLER, user).call(() -> load(plain, Map.of())))
                .isInstanceOf(HostException.class).hasMessageContaining("module_load module plain").hasMessageContaining("only root loads")
                .extracting(e -> ((HostException) e).code()).isEqualTo(Errno.EPERM);
        assertThat(host.modules().get("plain")).isEmpty();
        Task root = task(0);
        assertThat(ScopedValue.where(Security.CALLER, root).call(() -> load(plain, Map.of())).name()).isEqualTo("plain");
    }

    @Test
    void shouldUnwindTheRegistrationWhenInitFailsAfterRegistering() throws IOException {
        Task t = task(1000);
        assertThatThrownBy(() -> load(guard("g.jar", "guard", "x", "if (true) throw new IllegalStateException(\"late failure\");"), Map.of()))
                .hasMessageContaining("late failure");
        assertThat(devOpen(t)).isEqualTo("allow");
        assertThat(devOpen(task(1000))).isEqualTo("allow");
        assertThat(host.security().list()).noneMatch(r -> r.state().equals("live"));
    }

    @Test
    void shouldGiveTheHostTaskRootCredentialsAndNotLetItHoldModules() throws IOException {
        load(guard("g.jar", "guard", "x", ""), Map.of());
        assertThat(host.modules().unload("guard", false, false)).as("only the host task held it: it goes at once")
                .isEqualTo(ModuleManager.UnloadResult.UNLOADED);
    }
}

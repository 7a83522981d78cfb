package dev.jdm.host.module;

import dev.jdm.host.config.NbdOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import dev.jdm.host.TestModules;
import dev.jdm.host.block.LuHandle;
import dev.jdm.symvers.JarContents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** References belong to a module, not to its name; and module code never runs under the manager's lock. */
class ModuleReferencesTest {
    @TempDir
    Path tmp;
    Host host;

    @BeforeEach
    void start() throws IOException {
        host = Host.start(new Host.Options(null, tmp.resolve("gate.sock"), tmp.resolve("state"), Files.createDirectories(tmp.resolve("bundled")),
                null, new NbdOptions(null, "off", List.of())));
    }

    @AfterEach
    void stop() {
        host.close();
    }

    private Path disk(String jar, String lu) throws IOException {
        return TestModules.build(tmp.resolve(jar), TestModules.module("disk",
                "ctx.block().device(\"" + lu + "\").size(1 << 20).register(r -> r.complete(dev.jdm.abi.blk.BlockStatus.OK));"));
    }

    private List<LoadedModule> named(String name) {
        return host.modules().list().stream().filter(m -> m.name().equals(name)).toList();
    }

    @Test
    void shouldKeepAPinOnTheReplacedModuleAndNotOnItsSuccessor() throws IOException {
        Path v1 = disk("v1.jar", "d1");
        Path v2 = disk("v2.jar", "d2");
        host.modules().load(JarContents.read(v1), v1.toString(), Map.of(), false);
        LuHandle old = host.block().open("d1", "test");

        LoadedModule successor = host.modules().replace("disk", JarContents.read(v2), v2.toString(), Map.of());
        assertThat(named("disk")).as("the predecessor drains while its LU is open").hasSize(2);
        LoadedModule predecessor = named("disk").get(1);
        assertThat(predecessor).isNotSameAs(successor);
        assertThat(predecessor.state()).isEqualTo(ModuleState.GOING);
        assertThat(predecessor.refcount()).isEqualTo(1);

        LuHandle fresh = host.block().open("d2", "test");
        old.close();
        assertThat(named("disk")).as("closing the old LU's handle frees the predecessor, not a pin of the successor")
                .containsExactly(successor);
        assertThat(host.block().find("d1")).isEmpty();
        assertThat(successor.refcount()).isEqualTo(1);
        assertThatThrownBy(() -> host.modules().unload("disk", false, false)).isInstanceOf(HostException.class)
                .hasMessageContaining("1 open reference(s)");

        fresh.close();
        assertThat(host.modules().unload("disk", false, false)).isEqualTo(ModuleManager.UnloadResult.UNLOADED);
    }

    @Test
    void shouldLoadUnloadAndReleaseOtherModulesWhileAnInitRuns() throws Exception {
        Path slow = TestModules.build(tmp.resolve("slow.jar"), TestModules.module("slow", "Thread.sleep(5_000);"));
        Path quick = disk("quick.jar", "q1");
        CompletableFuture<LoadedModule> slowLoad = CompletableFuture.supplyAsync(() -> {
            try {
                return host.modules().load(JarContents.read(slow), slow.toString(), Map.of(), false);
            } catch (RuntimeException e) {
                throw e;
            }
        });
        while (named("slow").isEmpty()) {
            Thread.onSpinWait();
        }
        assertThat(named("slow").getFirst().state()).isEqualTo(ModuleState.COMING);

        host.modules().load(JarContents.read(quick), quick.toString(), Map.of(), false);
        host.block().open("q1", "test").close();
        assertThat(host.modules().unload("disk", false, false)).isEqualTo(ModuleManager.UnloadResult.UNLOADED);
        assertThat(named("slow")).as("the other module came and went while slow's init still ran").singleElement()
                .extracting(LoadedModule::state).isEqualTo(ModuleState.COMING);

        assertThatThrownBy(() -> host.modules().load(JarContents.read(slow), slow.toString(), Map.of(), false))
                .as("the name is reserved while it is coming").isInstanceOf(HostException.class)
                .extracting(e -> ((HostException) e).code()).isEqualTo(Errno.EEXIST);
        assertThatThrownBy(() -> host.modules().unload("slow", false, false)).hasMessageContaining("still initialising");
        assertThat(slowLoad.get(30, TimeUnit.SECONDS).state()).isEqualTo(ModuleState.LIVE);
    }

    @Test
    void shouldLoadASecondInstanceUnderAnotherNameAsModprobeO() throws IOException {
        Path jar = disk("one.jar", "d1");
        Path two = disk("two.jar", "d2");
        LoadedModule first = host.modules().load(JarContents.read(jar), jar.toString(), Map.of(), false);
        LoadedModule second = host.modules().loadAs("disk_2", JarContents.read(two), two.toString(), Map.of(), false);
        assertThat(first.name()).isEqualTo("disk");
        assertThat(second.name()).isEqualTo("disk_2");
        assertThat(second.info().first("license")).isEqualTo(first.info().first("license"));
        assertThat(host.block().find("d2").orElseThrow().module()).isEqualTo("disk_2");
        assertThatThrownBy(() -> host.modules().loadAs("Bad Name", JarContents.read(two), two.toString(), Map.of(), false))
                .isInstanceOf(HostException.class).hasMessage("disk: cannot load it as \"Bad Name\" is not a module name"
                        + " (lower case letters, digits, '-' and '_', at most 64)")
                .extracting(e -> ((HostException) e).code()).isEqualTo(Errno.EINVAL);
        assertThatThrownBy(() -> host.modules().loadAs("disk", JarContents.read(two), two.toString(), Map.of(), false))
                .extracting(e -> ((HostException) e).code()).isEqualTo(Errno.EEXIST);
        assertThat(host.modules().unload("disk_2", false, false)).isEqualTo(ModuleManager.UnloadResult.UNLOADED);
        assertThat(host.block().find("d2")).isEmpty();
        assertThat(host.block().find("d1")).isPresent();
    }
}

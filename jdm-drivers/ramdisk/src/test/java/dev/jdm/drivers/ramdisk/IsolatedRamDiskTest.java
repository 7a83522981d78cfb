package dev.jdm.drivers.ramdisk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.block.BlockDriverContract;
import dev.jdm.host.HostException;
import dev.jdm.host.domain.Domain;
import dev.jdm.symvers.JarContents;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The same ramdisk classes, placed in an isolated domain (a confined JVM of its own): the block
 * driver contract holds through the shared ring, and a domain loaded with recovery=fail and killed
 * with SIGKILL turns its LU's I/O into EIO, not a hang, while the host runs on.
 */
class IsolatedRamDiskTest extends BlockDriverContract {
    @Override
    protected String moduleName() {
        return "ramdisk";
    }

    @Override
    protected Map<String, String> freshDeviceParams(Path tmp) {
        // A ramdisk's data lives in the domain's memory: a restart would lose it silently, so it fails instead.
        return Map.of("size", "64M", "name", "ramd0", "domain", "isolated:ramtest", "recovery", "fail");
    }

    @Override
    protected String luName() {
        return "ramd0";
    }

    @Test
    void shouldRunInItsOwnConfinedProcess() {
        Domain d = host.domains().find("ramtest").orElseThrow();
        assertThat(d.pid()).isNotEqualTo(ProcessHandle.current().pid());
        assertThat(d.modules()).containsExactly("ramdisk");
        assertThat(host.modules().get("ramdisk").orElseThrow().domain()).isEqualTo("isolated:ramtest");
    }

    @Test
    void shouldFailIoWithEioWhenTheDomainIsKilled() throws Exception {
        assertThat(lu.write(0x100000, pattern(4096, 1), 0)).isEqualTo(BlockStatus.OK);
        Domain d = host.domains().find("ramtest").orElseThrow();
        d.kill();
        ProcessHandle.of(d.pid()).ifPresent(p -> p.onExit().join());
        CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
            try {
                return lu.read(0x100000, Arena.ofAuto().allocate(4096));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(read.get(10, TimeUnit.SECONDS)).as("I/O after the domain died").isEqualTo(BlockStatus.EIO);
        assertThat(d.alive()).isFalse();
        assertThat(host.block().find("ramd0")).as("the LU stays, failing").isPresent();
        assertThat(host.modules().list()).as("the host runs on").isNotEmpty();
        assertThat(d.state()).isEqualTo(dev.jdm.host.domain.DomainState.FAILED);
        assertThat(host.log().since(0).stream().map(dev.jdm.host.log.LogRecord::message))
                .anyMatch(m -> m.contains("not restarted: a module was loaded with recovery=fail"));
    }

    @Test
    void shouldHoldADomainModuleToTheHostsMemoryLimit() throws Exception {
        lu.close();
        lu = null;
        host.modules().unload("ramdisk", false, false);
        host.sysctl().set("kmem.module_limit_bytes", Long.toString(32L << 20));
        Map<String, String> params = Map.of("size", "64M", "name", "ramd1", "domain", "isolated:ramtest", "recovery", "fail");
        assertThatThrownBy(() -> host.modules().load(JarContents.read(moduleClasses()), moduleClasses().toString(), params, false))
                .isInstanceOf(HostException.class)
                .hasMessageContaining("module memory limit of 33554432 bytes reached (sysctl kmem.module_limit_bytes)");
        assertThat(host.block().find("ramd1")).as("no half-registered LU").isEmpty();
        host.sysctl().set("kmem.module_limit_bytes", Long.toString(2L << 30));
        host.modules().load(JarContents.read(moduleClasses()), moduleClasses().toString(),
                Map.of("size", "1100M", "name", "ramd1", "domain", "isolated:ramtest", "recovery", "fail"), false);
        assertThat(host.block().find("ramd1").orElseThrow().size()).as("above the 1 GiB a domain once fixed").isEqualTo(1100L << 20);
    }
}

package dev.jdm.drivers.ramdisk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.block.BlockDriverContract;
import dev.jdm.host.HostException;
import dev.jdm.host.block.SharedReaping;
import dev.jdm.host.domain.Domain;
import dev.jdm.host.sys.EpollSet;
import dev.jdm.symvers.JarContents;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
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

    /**
     * A thread that waits for something of its own (an NBD reader) may reap the LU's completions:
     * with it helping, I/O from another thread completes through it, and after it leaves the LU's
     * own reaper serves again. Once the domain is gone for good it is told to wait without helping.
     */
    @Test
    void shouldLetAWaitingThreadReapTheLusCompletions() throws Exception {
        SharedReaping reaping = lu.reaping();
        assertThat(reaping).as("an isolated LU's driver").isNotNull();
        int reaped = 0;
        try (EpollSet wait = EpollSet.create()) {
            reaping.join(wait);
            AtomicInteger done = new AtomicInteger();
            Thread io = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 200; i++) {
                    try {
                        if (lu.write(0x200000 + i * 4096L, pattern(4096, i), 0) == BlockStatus.OK) {
                            done.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (io.isAlive() && System.nanoTime() < deadline) {
                switch (reaping.reapOrArm(wait, 2)) {
                    case REAPED -> reaped++;
                    case ARMED -> {
                        try {
                            wait.await(50);
                        } finally {
                            reaping.disarm();
                        }
                    }
                    case UNAVAILABLE -> throw new AssertionError("the LU could not be helped while its domain ran");
                }
            }
            io.join(TimeUnit.SECONDS.toMillis(5));
            assertThat(done.get()).as("writes completed while a helper reaped").isEqualTo(200);
            reaping.leave(wait);
            assertThat(lu.write(0x100000, pattern(4096, 7), 0)).as("after the helper left").isEqualTo(BlockStatus.OK);

            reaping.join(wait);
            Domain d = host.domains().find("ramtest").orElseThrow();
            d.kill();
            ProcessHandle.of(d.pid()).ifPresent(p -> p.onExit().join());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            SharedReaping.Step step;
            do {
                step = reaping.reapOrArm(wait, 2);
                if (step == SharedReaping.Step.ARMED) {
                    wait.await(50);
                    reaping.disarm();
                }
            } while (step != SharedReaping.Step.UNAVAILABLE && System.nanoTime() < until);
            assertThat(step).as("a domain that is gone for good").isEqualTo(SharedReaping.Step.UNAVAILABLE);
            reaping.leave(wait);
        }
        assertThat(reaped).as("completions reaped by the helping thread").isPositive();
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

package dev.jdm.drivers.faultdisk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.Host;
import dev.jdm.host.block.LuHandle;
import dev.jdm.host.domain.Domain;
import dev.jdm.host.domain.DomainState;
import dev.jdm.host.log.LogRecord;
import dev.jdm.symvers.JarContents;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hang detection and the restart budget, with faultdisk in an isolated domain: a domain stopped with
 * SIGSTOP misses its heartbeats and is restarted, and the read it held completes; a driver that
 * holds a read for ever (stall=) is restarted, stalls again, and once the budget is spent the
 * read and every later request fail with EIO and the log says why; crashes beyond the budget fail
 * the LU the same way.
 */
class IsolatedFaultDiskHangTest {
    @TempDir
    Path tmp;
    Host host;

    Host start(String sysctls) throws Exception {
        Path config = Files.writeString(tmp.resolve("host.toml"), "modules = []\n[sysctl]\n\"module.init_timeout_ms\" = \"60000\"\n" + sysctls);
        host = Host.start(new Host.Options(config, tmp.resolve("gate.sock"), tmp.resolve("state"), null, null));
        return host;
    }

    @AfterEach
    void stop() {
        if (host != null) {
            host.close();
        }
    }

    Domain load(Map<String, String> params) throws Exception {
        Path classes = Path.of("target/classes");
        host.modules().load(JarContents.read(classes), classes.toString(), params, false);
        return host.domains().find("hang").orElseThrow();
    }

    List<String> log() {
        return host.log().since(0).stream().map(LogRecord::message).toList();
    }

    static CompletableFuture<Integer> read(LuHandle lu, long offset) {
        MemorySegment buf = Arena.ofAuto().allocate(4096, 4096);
        return lu.submit(BlockOp.READ, offset, 4096, 0, buf);
    }

    static void awaitState(Domain d, DomainState state, long oldPid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (d.state() != state || state == DomainState.RUNNING && d.pid() == oldPid) {
            assertThat(System.nanoTime()).as("domain %s within 60 s, now %s", state, d.state()).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void shouldRestartADomainThatStopsAnsweringHeartbeats() throws Exception {
        start("\"domain.heartbeat_ms\" = \"500\"\n");
        Domain d = load(Map.of("name", "hang0", "size", "16M", "domain", "isolated:hang"));
        try (LuHandle lu = host.block().open("hang0", "hang-test")) {
            long pid = d.pid();
            Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start();
            assertThat(stop.waitFor()).isZero();
            CompletableFuture<Integer> held = read(lu, 1 << 20);
            awaitState(d, DomainState.RUNNING, pid);
            assertThat(held.get(30, TimeUnit.SECONDS)).as("the read the stopped domain held, replayed").isEqualTo(BlockStatus.OK);
            assertThat(d.restarts()).isEqualTo(1);
            assertThat(log()).anyMatch(m -> m.contains("hang: hung: no heartbeat answered for") && m.contains("domain.heartbeat_ms 500"))
                    .anyMatch(m -> m.contains("hang: recovered in"));
        }
    }

    @Test
    void shouldRestartAStalledDriverAndFailItsLuWithEioOnceTheBudgetIsSpent() throws Exception {
        start("\"domain.io_stall_ms\" = \"500\"\n\"domain.restart_limit\" = \"1\"\n");
        Domain d = load(Map.of("name", "hang0", "size", "16M", "domain", "isolated:hang", "stall", "8M+4K"));
        try (LuHandle lu = host.block().open("hang0", "hang-test")) {
            assertThat(read(lu, 1 << 20).get(30, TimeUnit.SECONDS)).as("outside the stalled range").isEqualTo(BlockStatus.OK);
            CompletableFuture<Integer> stalled = read(lu, 8 << 20);
            assertThat(stalled.get(60, TimeUnit.SECONDS)).as("held through one restart, then failed").isEqualTo(BlockStatus.EIO);
            assertThat(d.state()).isEqualTo(DomainState.FAILED);
            assertThat(d.restarts()).isEqualTo(1);
            assertThat(log()).filteredOn(m -> m.contains("hung: LU hang0 completed nothing for") && m.contains("domain.io_stall_ms 500")).hasSize(2);
            assertThat(log()).anyMatch(m -> m.contains("not restarted: 1 restarts within the last 600000 ms already (domain.restart_limit 1")
                    && m.contains("its LUs hang0 fail with EIO"));
            assertThat(read(lu, 1 << 20).get(10, TimeUnit.SECONDS)).as("later requests fail at once").isEqualTo(BlockStatus.EIO);
            assertThat(host.block().find("hang0")).as("the LU stays registered, failing").isPresent();
        }
    }

    @Test
    void shouldFailTheLuWithEioAfterMoreCrashesThanTheLimit() throws Exception {
        start("\"domain.restart_limit\" = \"2\"\n");
        Domain d = load(Map.of("name", "hang0", "size", "16M", "domain", "isolated:hang"));
        try (LuHandle lu = host.block().open("hang0", "hang-test")) {
            for (int k = 0; k < 2; k++) {
                long pid = d.pid();
                d.kill();
                awaitState(d, DomainState.RUNNING, pid);
                assertThat(read(lu, 1 << 20).get(30, TimeUnit.SECONDS)).as("after restart %d", k + 1).isEqualTo(BlockStatus.OK);
            }
            d.kill();
            awaitState(d, DomainState.FAILED, 0);
            assertThat(read(lu, 1 << 20).get(10, TimeUnit.SECONDS)).isEqualTo(BlockStatus.EIO);
            assertThat(d.restarts()).isEqualTo(2);
            assertThat(log()).anyMatch(m -> m.contains("crashed, killed by signal 9; not restarted: 2 restarts within the last")
                    && m.contains("domain.restart_limit 2"));
        }
    }
}

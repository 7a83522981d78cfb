package dev.jdm.drivers.filedisk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.host.Host;
import dev.jdm.host.block.LuHandle;
import dev.jdm.host.domain.Domain;
import dev.jdm.host.domain.DomainState;
import dev.jdm.host.domain.Latencies;
import dev.jdm.host.domain.WriteVerifyWorkload;
import dev.jdm.host.log.LogRecord;
import dev.jdm.symvers.JarContents;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash injection: a write-then-verify workload runs through the block layer against filedisk in an
 * isolated domain while the domain process is killed with SIGKILL at random moments. Every crash is
 * recovered (a new process, the module reloaded, the LU re-bound, its requests replayed): no client
 * sees an error, and at the end every block holds what was last written to it.
 */
class IsolatedFileDiskCrashTest {
    static final int KILLS = Integer.getInteger("jdm.test.domainKills", 200);

    @TempDir
    Path tmp;

    @Test
    void shouldLoseNoWriteAndShowNoErrorAcrossRandomKills() throws Exception {
        Path backing = tmp.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength(16L << 20);
        }
        Path config = Files.writeString(tmp.resolve("host.toml"), "modules = []\n[sysctl]\n\"domain.restart_limit\" = \"100000\"\n\"module.init_timeout_ms\" = \"60000\"\n");
        try (Host host = Host.start(new Host.Options(config, tmp.resolve("gate.sock"), tmp.resolve("state"), null, null))) {
            try {
                run(host, backing);
                if (Boolean.getBoolean("jdm.test.dumpLog")) {
                    host.log().since(0).stream().filter(r -> !r.source().equals("blk")).forEach(r -> System.out.println(r.format()));
                }
            } catch (Throwable t) {
                host.log().since(0).stream().filter(r -> !r.source().equals("blk")).limit(200)
                        .forEach(r -> System.out.println(r.format()));
                throw t;
            }
        }
    }

    private void run(Host host, Path backing) throws Exception {
        {
            Path classes = Path.of("target/classes");
            host.modules().load(JarContents.read(classes), classes.toString(),
                    Map.of("backing", backing.toString(), "name", "crash0", "domain", "isolated:crash"), false);
            Domain d = host.domains().find("crash").orElseThrow();
            WriteVerifyWorkload load;
            long t0 = System.nanoTime();
            try (LuHandle lu = host.block().open("crash0", "crash-test")) {
                load = new WriteVerifyWorkload(lu, 4, 512);
                load.start();
                Random rnd = new Random(16);
                for (int k = 0; k < KILLS; k++) {
                    awaitRunning(d);
                    awaitStandby(host, "crash"); // crashes no faster than a standby starts: each restart is a warm one
                    Thread.sleep(rnd.nextInt(60)); // a random moment of the workload
                    long pid = d.pid();
                    d.kill();
                    while (d.pid() == pid || d.state() != DomainState.RUNNING) {
                        assertThat(d.state()).as("after kill %d", k + 1).isNotEqualTo(DomainState.FAILED);
                        Thread.sleep(2);
                    }
                }
                awaitRunning(d);
                Thread.sleep(200);
                load.stop();
                load.verifyAll();
                assertThat(lu.flush()).isZero();
            }
            long seconds = (System.nanoTime() - t0) / 1_000_000_000;
            System.out.println("IsolatedFileDiskCrashTest: " + KILLS + " kills in " + seconds + " s, " + load.ops() + " write-verify rounds, "
                    + d.restarts() + " restarts, " + load.loans() + " requests on lent buffers, " + load.failures().size() + " failures");
            System.out.println(Latencies.describe("recovery (crash to first replayed completion)", d.recoveryNanos()));
            assertThat(load.failures()).as("client-visible errors and corrupted or lost blocks").isEmpty();
            assertThat(d.restarts()).isGreaterThanOrEqualTo(KILLS);
            assertThat(load.ops()).isGreaterThan(KILLS);
            assertThat(load.loans()).as("64 KiB runs on buffers the domain's LU lent").isPositive();
            assertThat(d.recoveryNanos()).as("recoveries with requests in flight").isNotEmpty();
            assertThat(host.log().since(0).stream().map(LogRecord::message)).anyMatch(m -> m.contains("recovered in"));
        }
    }

    static void awaitStandby(Host host, String domain) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!host.domains().standbyReady(domain)) {
            assertThat(System.nanoTime()).as("a standby within 60 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    static void awaitRunning(Domain d) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (d.state() != DomainState.RUNNING) {
            assertThat(System.nanoTime()).as("domain running again within 60 s").isLessThan(deadline);
            Thread.sleep(2);
        }
    }
}

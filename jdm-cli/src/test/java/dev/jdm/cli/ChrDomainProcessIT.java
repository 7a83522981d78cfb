package dev.jdm.cli;

import static dev.jdm.cli.HostProcess.CLI;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jdm.cli.HostProcess.Result;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Character devices served from an isolated domain, through the real CLI against {@code jdm host}
 * as a process: the bundled chr-mem and chr-input are unloaded and loaded again with
 * {@code --domain isolated:chr}; {@code jdm dev cat/write/call/describe} work on their nodes as on
 * colocated ones; a {@code jdm dev cat kmsg} blocked in a read when the domain is killed with
 * SIGKILL ends with an error instead of hanging, and the restarted domain's nodes open again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChrDomainProcessIT {
    static HostProcess host;
    /** {@code jdm dev cat zero} with chr-mem colocated, in ms, measured before it moves. */
    static long colocatedMs;

    @BeforeAll
    static void startHost() throws Exception {
        host = HostProcess.start("jdm-chrdom-it", "--nbd-tcp", "off");
        colocatedMs = catZeroMs();
        for (String m : new String[] {"chr-input", "chr-mem"}) {
            Result rm = host.jdm("rmmod", m);
            assertThat(rm.code()).as(rm.err()).isZero();
            Result ins = host.jdm("insmod", "--domain", "isolated:chr", CLI.resolve("modules/" + m + ".jar").toString());
            assertThat(ins.code()).as(ins.err()).isZero();
        }
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    static final long CAT_BYTES = 1L << 30;

    /** {@code jdm dev cat zero} of {@link #CAT_BYTES} into a pipe drained by {@code cat > /dev/null}, less the CLI's start (a cat of 1 byte). */
    static long catZeroMs() throws Exception {
        return catMs(CAT_BYTES) - catMs(1);
    }

    private static long catMs(long bytes) throws Exception {
        String cmd = String.join(" ", host.javaCommand("dev", "cat", "zero", "--bytes", Long.toString(bytes)).stream().map(a -> "'" + a + "'").toList());
        long t = System.nanoTime();
        Process p = new ProcessBuilder("sh", "-c", cmd + " | cat > /dev/null").start();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
    }

    static JsonNode domain() throws Exception {
        Result ls = host.jdm("domain", "ls", "chr", "--json");
        assertThat(ls.code()).as(ls.err()).isZero();
        return new ObjectMapper().readTree(ls.out()).get(0);
    }

    static Process start(byte[] stdin, String... args) throws Exception {
        Process p = new ProcessBuilder(host.javaCommand(args)).start();
        p.getOutputStream().write(stdin);
        p.getOutputStream().close();
        return p;
    }

    @Test
    @Order(1)
    void shouldListTheNodesAndServeCatWriteCallAndDescribeFromTheDomain() throws Exception {
        assertThat(domain().get("modules").toString()).contains("chr-mem").contains("chr-input");
        Result ls = host.jdm("dev", "ls");
        assertThat(ls.code()).as(ls.err()).isZero();
        assertThat(ls.out()).containsPattern("zero\\s+1:5\\s+0666").containsPattern("kmsg\\s+1:11\\s+0600").containsPattern("kbd0\\s+13:64\\s+0660.*typed calls")
                .containsPattern("zero\\s+1:5\\s+0666.*\\sisolated:chr\\s+chr-mem");
        assertThat(new ObjectMapper().readTree(host.jdm("dev", "ls", "kbd0", "--json").out()).get(0).get("domain").asText())
                .as("where kbd0's driver runs").isEqualTo("isolated:chr");

        Process zero = start(new byte[0], "dev", "cat", "zero", "--bytes", "3M");
        byte[] z = zero.getInputStream().readAllBytes();
        assertThat(zero.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(zero.exitValue()).isZero();
        assertThat(z).hasSize(3 << 20).containsOnly(0);

        Process nul = start(new byte[1 << 20], "dev", "write", "null");
        assertThat(nul.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(nul.exitValue()).as(new String(nul.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        Process full = start("x\n".getBytes(StandardCharsets.UTF_8), "dev", "write", "full");
        assertThat(full.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(full.exitValue()).isEqualTo(1);
        assertThat(new String(full.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).contains("ENOSPC");

        Result call = host.jdm("dev", "call", "kbd0", "type", "--json", "{\"text\": \"hi\"}");
        assertThat(call.code()).as(call.err()).isZero();
        assertThat(call.out()).contains("events");
        Result bad = host.jdm("dev", "call", "kbd0", "feed", "--json", "{\"events\": [{\"code\": 9999, \"action\": \"PRESS\"}]}");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("EINVAL").contains("9999");
        Result describe = host.jdm("dev", "describe", "kbd0");
        assertThat(describe.code()).as(describe.err()).isZero();
        assertThat(describe.out()).contains("feed").contains("KeyEvent").contains("enum(RELEASE|PRESS|REPEAT)");
    }

    @Test
    @Order(2)
    void shouldEndABlockedKmsgReaderWithAnErrorWhenTheDomainIsKilledAndOpenAgainAfterTheRestart() throws Exception {
        Process cat = new ProcessBuilder(host.javaCommand("dev", "cat", "kmsg")).start();
        // it prints the log so far, then waits in a blocking read for the next record
        long opened = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!host.jdm("dev", "ls", "kmsg", "--json").out().contains("\"open_count\":1") && System.nanoTime() < opened) {
            Thread.sleep(50);
        }
        Thread.sleep(500);
        assertThat(cat.isAlive()).as("cat kmsg follows the log").isTrue();
        long pid = domain().get("pid").asLong();
        new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
        assertThat(cat.waitFor(20, TimeUnit.SECONDS)).as("the blocked reader ends once its domain died").isTrue();
        cat.getInputStream().readAllBytes();
        String err = new String(cat.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cat.exitValue()).as(err).isEqualTo(1);
        assertThat(err).containsPattern("ENODEV|EIO");

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode d = domain();
        while (!(d.get("state").asText().equals("running") && d.get("pid").asLong() != pid && host.jdm("dev", "ls").out().contains("kmsg"))) {
            assertThat(System.nanoTime()).as("domain running again with its nodes within 60 s").isLessThan(deadline);
            Thread.sleep(200);
            d = domain();
        }
        assertThat(host.jdm("dev", "ls").out()).containsPattern("kmsg\\s+1:11\\s+0600").containsPattern("kbd0\\s+13:64");
        Process again = new ProcessBuilder(host.javaCommand("dev", "cat", "kmsg")).start();
        String first = new java.io.BufferedReader(new java.io.InputStreamReader(again.getInputStream(), StandardCharsets.UTF_8)).readLine();
        again.destroyForcibly().waitFor();
        assertThat(first).as("the restarted domain's kmsg gives records").matches("\\d,\\d+,\\d+,-;.*");
        Process zero = start(new byte[0], "dev", "cat", "zero", "--bytes", "1M");
        byte[] z = zero.getInputStream().readAllBytes();
        assertThat(zero.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(zero.exitValue()).isZero();
        assertThat(z).hasSize(1 << 20).containsOnly(0);
        Result call = host.jdm("dev", "call", "kbd0", "status");
        assertThat(call.code()).as(call.err()).isZero();
    }

    @Test
    @Order(3)
    void catZeroThroughTheDomainAgainstColocatedInformational() throws Exception {
        long isolatedMs = catZeroMs();
        double mib = CAT_BYTES / 1048576.0 * 1000;
        System.out.printf("jdm dev cat zero --bytes 1G | cat: colocated %d ms (%.0f MiB/s), isolated %d ms (%.0f MiB/s), isolated/colocated throughput %.2f%n",
                colocatedMs, mib / colocatedMs, isolatedMs, mib / isolatedMs, (double) colocatedMs / isolatedMs);
        assertThat(isolatedMs).isPositive();
    }
}

package dev.jdm.cli;

import static dev.jdm.cli.HostProcess.CLI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jdm.cli.HostProcess.Result;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Isolated domains through the real CLI against {@code jdm host} started as a process: filedisk in a
 * domain, {@code jdm domain ls} and {@code restart}, and fio's nbd engine writing with crc32c
 * verification through NBD while the domain process is killed with SIGKILL: fio sees no error, no
 * disconnect and no bad block.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DomainProcessIT {
    static HostProcess host;
    static Path img;

    @BeforeAll
    static void startHost() throws Exception {
        host = HostProcess.start("jdm-domain-it");
        img = host.dir().resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(64L << 20);
        }
        Result ins = host.jdm("insmod", "--domain", "isolated:files", CLI.resolve("modules/filedisk.jar").toString(), "backing=" + img, "name=dfd0");
        assertThat(ins.code()).as(ins.err()).isZero();
    }

    @AfterAll
    static void stopHost() throws Exception {
        host.close();
    }

    static JsonNode domain() throws Exception {
        Result ls = host.jdm("domain", "ls", "files", "--json");
        assertThat(ls.code()).as(ls.err()).isZero();
        return new ObjectMapper().readTree(ls.out()).get(0);
    }

    /** Waits until the domain runs a process other than {@code oldPid}. */
    static JsonNode awaitRestarted(long oldPid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            JsonNode d = domain();
            if (d.get("state").asText().equals("running") && d.get("pid").asLong() != oldPid) {
                return d;
            }
            assertThat(d.get("state").asText()).isNotEqualTo("failed");
            assertThat(System.nanoTime()).as("domain running again within 60 s").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @Test
    @Order(1)
    void shouldListTheDomainWithItsProcessModulesAndLus() throws Exception {
        Result ls = host.jdm("domain", "ls");
        assertThat(ls.code()).as(ls.err()).isZero();
        assertThat(ls.out()).containsPattern("(?m)^NAME\\s+PID\\s+UID\\s+STATE\\s+RESTARTS\\s+RSS\\s+MODULES\\s+LUS$")
                .containsPattern("(?m)^files\\s+\\d+\\s+\\d+\\s+running\\s+0\\s+\\d.*filedisk\\s+dfd0$");
        JsonNode d = domain();
        assertThat(d.get("pid").asLong()).isPositive().isNotEqualTo(host.process().pid());
        assertThat(d.get("rss_bytes").asLong()).as("resident memory of a running JVM").isGreaterThan(1 << 20);
        Result none = host.jdm("domain", "ls", "nosuch");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).contains("no domain named nosuch").contains("ENOENT");
    }

    @Test
    @Order(2)
    void shouldRestartByHandAndRefuseAnUnknownDomain() throws Exception {
        long pid = domain().get("pid").asLong();
        Result r = host.jdm("domain", "restart", "files");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("files: restarting");
        JsonNode d = awaitRestarted(pid);
        assertThat(d.get("restarts").asInt()).isEqualTo(1);
        assertThat(d.get("lus").toString()).contains("dfd0");
        assertThat(host.jdm("dmesg").out()).contains("files: restart by hand").contains("files: recovered in");
        Result bad = host.jdm("domain", "restart", "nosuch");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("no domain named nosuch").contains("ENOENT");
        Result usage = host.jdm("domain", "restart");
        assertThat(usage.code()).isEqualTo(2);
    }

    @Test
    @Order(3)
    void shouldKeepFioVerifyingThroughNbdWhileTheDomainIsKilled() throws Exception {
        NbdPeersIT.need("fio", "fio");
        assumeTrue(run("fio", "--enghelp").contains("nbd"), "this fio has no nbd engine (built without libnbd); skipping");
        Result add = host.jdm("export", "add", "dfd0");
        assertThat(add.code()).as(add.err()).isZero();
        String uri = "nbd+unix:///dfd0?socket=" + host.nbdSocket();
        Process fio = new ProcessBuilder("fio", "--name=crash", "--ioengine=nbd", "--uri=" + uri, "--rw=randwrite", "--bs=4k",
                "--offset=1M", "--size=48M", "--loops=4", "--iodepth=16", "--verify=crc32c", "--do_verify=1", "--verify_fatal=1",
                "--verify_state_save=0").redirectErrorStream(true).start();
        int kills = 0;
        int before = domain().get("restarts").asInt();
        while (fio.isAlive() && kills < 3) {
            Thread.sleep(500);
            long pid = domain().get("pid").asLong();
            if (!fio.isAlive()) {
                break;
            }
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            kills++;
            awaitRestarted(pid);
        }
        String out = new String(fio.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(fio.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(fio.exitValue()).as(out).isZero();
        assertThat(out).contains("err= 0").doesNotContain("verify: bad");
        System.out.println("DomainProcessIT: " + kills + " SIGKILLs while fio wrote and verified through NBD");
        assertThat(kills).as("kills while fio ran").isPositive();
        assertThat(domain().get("restarts").asInt()).isEqualTo(before + kills);
        assertThat(host.jdm("blk", "stat", "dfd0", "--json").out()).contains("\"errors\" : 0");
    }

    @Test
    @Order(4)
    void shouldRestartADomainWithAJdwpAgentAJdbCanAttachTo() throws Exception {
        long pid = domain().get("pid").asLong();
        Result debug = host.jdm("domain", "debug", "files");
        assertThat(debug.code()).as(debug.err()).isZero();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("jdb -attach 127\\.0\\.0\\.1:(\\d+)").matcher(debug.out());
        assertThat(m.find()).as(debug.out()).isTrue();
        int port = Integer.parseInt(m.group(1));
        JsonNode d = awaitRestarted(pid);
        assertThat(d.get("debug_port").asInt()).isEqualTo(port);
        // the JDWP handshake: the agent answers the 14 bytes it was sent, from inside the confined domain
        try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("JDWP-Handshake".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(s.getInputStream().readNBytes(14), StandardCharsets.US_ASCII)).isEqualTo("JDWP-Handshake");
        }
        Result io = host.jdm("blk", "stat", "dfd0", "--json");
        assertThat(io.code()).as("the LU is served again").isZero();
        Result refused = host.jdm("domain", "debug", "nosuch");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("no domain named nosuch");
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}

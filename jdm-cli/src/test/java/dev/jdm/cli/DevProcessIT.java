package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jdm.cli.HostProcess.Result;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Character devices end to end: {@code jdm host} as a process with its default modules (caps,
 * devacl, audit, chr-mem, chr-input), {@code jdm dev} CLI processes as root and, through setpriv, as
 * nobody; readers killed mid-read.
 */
class DevProcessIT {
    static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    static HostProcess host;

    @BeforeAll
    static void startHost() throws Exception {
        host = HostProcess.start("jdm-dev-it", "--nbd-tcp", "off");
        Files.setPosixFilePermissions(host.dir(), PosixFilePermissions.fromString("rwxr-xr-x")); // nobody must reach the socket
        assertThat(host.banner()).anyMatch(l -> l.contains("chr-mem (live)")).anyMatch(l -> l.contains("chr-input (live)"));
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    static Result jdm(String... args) throws Exception {
        return host.jdm(args);
    }

    static List<String> asNobody(String... args) {
        List<String> cmd = new ArrayList<>(List.of(SETPRIV.toString(), "--reuid=65534", "--regid=65534", "--clear-groups"));
        cmd.addAll(host.javaCommand(args));
        return cmd;
    }

    /** Runs the CLI with {@code stdin} as its input; stdout as bytes. */
    static Process start(List<String> cmd, byte[] stdin) throws IOException {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().write(stdin);
        p.getOutputStream().close();
        return p;
    }

    static byte[] stdout(Process p) throws Exception {
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    static String stderr(Process p) throws IOException {
        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    static void awaitTrue(String what, Supplier<Boolean> check, long ms) throws InterruptedException {
        long end = System.nanoTime() + ms * 1_000_000;
        while (!check.get()) {
            assertThat(System.nanoTime()).as(what + " within " + ms + " ms").isLessThan(end);
            Thread.sleep(20);
        }
    }

    /** Open files of NODE as {@code jdm dev ls NODE --json} shows them: "N", and " excl" when held. */
    static String openColumn(String node) {
        try {
            var row = new com.fasterxml.jackson.databind.ObjectMapper().readTree(jdm("dev", "ls", node, "--json").out()).get(0);
            return row.get("open_count").asInt() + (row.get("held").asBoolean() ? " excl" : "");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void lsShowsTheBundledNodesWithLinuxNumbersAndModes() throws Exception {
        Result r = jdm("dev", "ls");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("null\\s+1:3\\s+0666").containsPattern("zero\\s+1:5\\s+0666").containsPattern("full\\s+1:7\\s+0666")
                .containsPattern("urandom\\s+1:9\\s+0666").containsPattern("kmsg\\s+1:11\\s+0600").containsPattern("kbd0\\s+13:64\\s+0660.*typed calls")
                .containsPattern("zero\\s+1:5\\s+0666.*\\scolocated\\s+chr-mem");
    }

    @Test
    void catGivesTheBytesAskedForAndWriteFollowsLinuxSemantics() throws Exception {
        Process zero = start(host.javaCommand("dev", "cat", "zero", "--bytes", "3M"), new byte[0]);
        byte[] z = stdout(zero);
        assertThat(zero.exitValue()).as(stderr(zero)).isZero();
        assertThat(z).hasSize(3 << 20);
        for (byte b : z) {
            assertThat(b).isZero();
        }
        Process random = start(host.javaCommand("dev", "cat", "urandom", "--bytes", "64"), new byte[0]);
        assertThat(stdout(random)).hasSize(64).isNotEqualTo(new byte[64]);
        Process nul = start(host.javaCommand("dev", "write", "null"), new byte[1 << 20]);
        stdout(nul);
        assertThat(nul.exitValue()).as(stderr(nul)).isZero();
        Process full = start(host.javaCommand("dev", "write", "full"), "x\n".getBytes(StandardCharsets.UTF_8));
        stdout(full);
        assertThat(full.exitValue()).isEqualTo(1);
        assertThat(stderr(full)).contains("jdm dev write: full: write: ENOSPC (No space left on device) [ENOSPC]");
        assertThat(jdm("dev", "cat", "nope").err()).contains("no char device nope").contains("[ENOENT]");
    }

    @Test
    void catGivesExactlyTheBytesAskedForIntoAPipeAndIntoAFile() throws Exception {
        // a pipe takes the spliced path, a file the written one; sizes around the bulk and chunk sizes
        for (long n : new long[] {1, 65535, 65536, (1 << 20) + 1, (5L << 20) + 3}) {
            Process p = start(host.javaCommand("dev", "cat", "zero", "--bytes", Long.toString(n)), new byte[0]);
            byte[] piped = stdout(p);
            assertThat(p.exitValue()).as(stderr(p)).isZero();
            assertThat(piped).as("through a pipe, " + n).hasSize((int) n).containsOnly(0);
            Path file = host.dir().resolve("cat-" + n);
            Process f = new ProcessBuilder(host.javaCommand("dev", "cat", "urandom", "--bytes", Long.toString(n))).redirectOutput(file.toFile()).start();
            assertThat(f.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(f.exitValue()).as(stderr(f)).isZero();
            assertThat(Files.size(file)).as("into a file, " + n).isEqualTo(n);
            Files.delete(file);
        }
        Process head = new ProcessBuilder("sh", "-c", String.join(" ", host.javaCommand("dev", "cat", "zero").stream().map(a -> "'" + a + "'").toList())
                + " | head -c 3000000 | wc -c").start();
        assertThat(new String(head.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip()).as("| head ends cat quietly").isEqualTo("3000000");
        assertThat(head.waitFor(60, TimeUnit.SECONDS)).isTrue();
        awaitTrue("the cat that head ended released zero", () -> openColumn("zero").equals("0"), 10_000);
    }

    @Test
    void catOfKmsgFollowsTheLogAndAReaderKilledMidReadFreesItsOpenFile() throws Exception {
        Process cat = new ProcessBuilder(host.javaCommand("dev", "cat", "kmsg")).start();
        InputStream out = cat.getInputStream();
        awaitTrue("kmsg opened", () -> openColumn("kmsg").startsWith("1"), 30_000);
        Process w = start(host.javaCommand("dev", "write", "kmsg"), "a marker for the follower\n".getBytes(StandardCharsets.UTF_8));
        stdout(w);
        StringBuilder seen = new StringBuilder();
        byte[] buf = new byte[65536];
        while (!seen.toString().contains("a marker for the follower")) {
            int n = out.read(buf);
            assertThat(n).as("cat kmsg ended early: " + seen).isPositive();
            seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        assertThat(seen.toString()).containsPattern("\\d,\\d+,\\d+,-;chr-mem: a marker for the follower");
        // it now waits in a blocking read for the next record; kill it there
        cat.destroyForcibly().waitFor();
        awaitTrue("the killed reader's file released", () -> openColumn("kmsg").startsWith("0"), 5_000);
    }

    @Test
    void capsEnforcesTheNodesModeAndDevaclItsRules() throws Exception {
        assumeTrue(Files.isExecutable(SETPRIV), "setpriv (util-linux) is missing: cannot run the CLI as another user");
        Process kmsg = start(asNobody("dev", "cat", "kmsg", "--bytes", "1"), new byte[0]);
        stdout(kmsg);
        assertThat(kmsg.exitValue()).isEqualTo(1);
        assertThat(stderr(kmsg)).contains("denied by caps: kmsg is mode 0600 owner 0 group 0; uid 65534 (other) lacks read").contains("[EACCES]");
        Process zero = start(asNobody("dev", "cat", "zero", "--bytes", "8"), new byte[0]);
        assertThat(stdout(zero)).as(stderr(zero)).hasSize(8);

        Path policy = Files.writeString(host.dir().resolve("chr.policy"), """
                [[rule]]
                device = "zero"
                kind = "char"
                uid = 65534
                deny = ["read"]
                """);
        Result reload = jdm("sec", "reload", "devacl", policy.toString());
        assertThat(reload.code()).as(reload.err()).isZero();
        try {
            Process denied = start(asNobody("dev", "cat", "zero", "--bytes", "8"), new byte[0]);
            assertThat(stdout(denied)).isEmpty();
            assertThat(denied.exitValue()).isEqualTo(1);
            assertThat(stderr(denied)).contains("denied by devacl: rule 1 (line 2) denies read on zero to uid 65534").contains("[EACCES]");
            Process nul = start(asNobody("dev", "cat", "null"), new byte[0]);
            stdout(nul);
            assertThat(nul.exitValue()).as("the rule names zero only: " + stderr(nul)).isZero();
        } finally {
            jdm("sec", "reload", "devacl", Files.writeString(host.dir().resolve("empty.policy"), "").toString());
        }
    }

    @Test
    void typedCallsAreDescribedAndCheckedByTheHost() throws Exception {
        Result d = jdm("dev", "describe", "kbd0");
        assertThat(d.code()).as(d.err()).isZero();
        assertThat(d.out()).contains("calls Keyboard version 1 fingerprint").containsPattern("feed\\(Keys\\) -> Fed  raises EINVAL  \\[[0-9a-f]{16}]")
                .contains("record KeyEvent\n  code int32\n  action enum(RELEASE|PRESS|REPEAT)");
        Result ok = jdm("dev", "call", "kbd0", "type", "--json", "{\"text\": \"hi\"}");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("\"events\" : 8");
        Result bad = jdm("dev", "call", "kbd0", "feed", "--json", "{\"events\": [{\"code\": 9999, \"action\": \"PRESS\"}]}");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("kbd0.feed: events[0].code 9999 is not a key code").contains("[EINVAL]");
        Result shape = jdm("dev", "call", "kbd0", "feed", "--json", "{\"events\": [{\"code\": 30}]}");
        assertThat(shape.err()).contains("args.events[0].action: missing").contains("[EINVAL]");
        Result unknown = jdm("dev", "call", "kbd0", "smash");
        assertThat(unknown.err()).contains("kbd0 has no typed call \"smash\" (its calls: feed, status, type)").contains("[ENOSYS]");
        Result json = jdm("dev", "call", "kbd0", "type", "--json", "{text");
        assertThat(json.code()).isEqualTo(2);
        assertThat(json.err()).contains("--json: not JSON");
    }

    @Test
    void killingTheExclusiveReaderOfKbd0ReleasesItAtOnce() throws Exception {
        Process holder = new ProcessBuilder(host.javaCommand("dev", "cat", "kbd0", "--exclusive")).start();
        awaitTrue("kbd0 held", () -> openColumn("kbd0").startsWith("1 excl"), 30_000);
        Result second = jdm("dev", "cat", "kbd0", "--exclusive", "--nonblock");
        assertThat(second.code()).isEqualTo(1);
        assertThat(second.err()).contains("kbd0 is held by an exclusive open").contains("[EBUSY]");
        Result fed = jdm("dev", "call", "kbd0", "type", "--json", "{\"text\": \"a\"}");
        assertThat(fed.out()).contains("\"readers\" : 1");
        byte[] first = holder.getInputStream().readNBytes(48);
        assertThat(first).as("KEY_A pressed reached the holder").hasSize(48);
        assertThat(first[18]).isEqualTo((byte) 30);

        holder.destroyForcibly().waitFor();
        // the first exclusive open after the kill, with no retry: the hold went with the connection,
        // before a CLI process can even start (the host finds a killed reader within one heartbeat)
        Process next = new ProcessBuilder(host.javaCommand("dev", "cat", "kbd0", "--exclusive", "--bytes", "48")).start();
        awaitTrue("the next reader holds kbd0 (or failed)", () -> !next.isAlive() || openColumn("kbd0").equals("1 excl"), 30_000);
        assertThat(next.isAlive()).as("the next exclusive open succeeded at once: " + (next.isAlive() ? "" : stderr(next))).isTrue();
        jdm("dev", "call", "kbd0", "type", "--json", "{\"text\": \"b\"}");
        byte[] b = stdout(next);
        assertThat(next.exitValue()).as(stderr(next)).isZero();
        assertThat(b).hasSize(48);
        assertThat(b[18]).as("KEY_B").isEqualTo((byte) 48);
    }
}

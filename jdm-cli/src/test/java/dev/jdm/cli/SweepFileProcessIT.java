package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import dev.jdm.cli.HostProcess.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jdm sweep PATH} as a real process, standalone (an embedded host opens the file through
 * filedisk), on real files: checksums before and after, the boot area, verification, a SIGKILL
 * mid-run and a resume that completes, and bad inputs.
 */
class SweepFileProcessIT {
    static final int BOOT = 0x10000;

    @TempDir
    Path dir;

    /** {@code jdm sweep} standalone: no host listens on the socket it is given. */
    List<String> command(String... args) {
        List<String> sweep = new ArrayList<>(List.of("sweep", "--state-dir", dir.resolve("state").toString()));
        sweep.addAll(List.of(args));
        return HostProcess.javaCommandAt(dir.resolve("no-host.sock"), sweep.toArray(String[]::new));
    }

    Result jdm(String... args) throws Exception {
        return HostProcess.run(command(args), 180);
    }

    /** A file of {@code size} bytes of seeded random data. */
    Path randomFile(String name, int size) throws Exception {
        Path f = dir.resolve(name);
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        Files.write(f, b);
        return f;
    }

    static String sha256(Path f) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(f)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static JsonNode result(Result r) throws Exception {
        return new ObjectMapper().readTree(r.out().lines().reduce((a, b) -> b).orElseThrow());
    }

    @Test
    void shouldLeaveTheFileByteIdenticalWithoutWrite() throws Exception {
        Path f = randomFile("disk.img", 4 << 20);
        String before = sha256(f);
        Result r = jdm(f.toString(), "--random", "--verify=all", "--passes", "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("would sweep with random data").contains(f + " 4 MiB, whole device: bytes [0x10000, 0x400000)")
                .contains("boot area [0, 0x10000) left unchanged").contains("read-only: nothing was written.");
        assertThat(sha256(f)).isEqualTo(before);
        Result list = jdm("--list", f.toString());
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern(java.util.regex.Pattern.quote(f.toString()) + "\\s+4 MiB\\s+512 disk\\s+0x10000");
        assertThat(sha256(f)).isEqualTo(before);
    }

    @Test
    void shouldZeroEverythingOutsideTheBootAreaAndVerify() throws Exception {
        Path f = randomFile("disk.img", 8 << 20);
        byte[] boot = java.util.Arrays.copyOf(Files.readAllBytes(f), BOOT);
        Result r = jdm(f.toString(), "--write", "--zeros", "--verify=last", "--yes", "--json");
        assertThat(r.code()).as(r.err() + r.out()).isZero();
        JsonNode rep = result(r).get("report");
        assertThat(rep.get("result").asText()).isEqualTo("passed");
        assertThat(rep.get("targets").get(0).get("bytesWritten").asLong()).isEqualTo((8 << 20) - BOOT);
        byte[] after = Files.readAllBytes(f);
        assertThat(java.util.Arrays.copyOf(after, BOOT)).isEqualTo(boot);
        assertThat(firstNonZero(after, BOOT)).as("the first byte after the boot area that is not zero").isEqualTo(-1);
    }

    @Test
    void shouldWriteAndVerifyTwoRandomPasses() throws Exception {
        Path f = randomFile("disk.img", 8 << 20);
        byte[] before = Files.readAllBytes(f);
        Result r = jdm(f.toString(), "--write", "--random", "--verify=all", "--passes", "2", "--yes", "--json");
        assertThat(r.code()).as(r.err() + r.out()).isZero();
        JsonNode t = result(r).get("report").get("targets").get(0);
        assertThat(t.get("bytesWritten").asLong()).isEqualTo(2L * ((8 << 20) - BOOT));
        assertThat(t.get("bytesVerified").asLong()).isEqualTo(2L * ((8 << 20) - BOOT));
        byte[] after = Files.readAllBytes(f);
        assertThat(java.util.Arrays.copyOf(after, BOOT)).isEqualTo(java.util.Arrays.copyOf(before, BOOT));
        int same = 0;
        for (int i = BOOT; i < after.length; i++) {
            same += after[i] == before[i] ? 1 : 0;
        }
        assertThat(same).as("bytes left as they were (about 1 in 256 by chance)").isLessThan(after.length / 100);
        Result check = jdm("--check-report", result(r).get("reportJson").asText());
        assertThat(check.code()).as(check.err()).isZero();
    }

    @Test
    void shouldResumeAfterTheProcessWasKilledAndFinishVerified() throws Exception {
        Path f = dir.resolve("big.img");
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(512L << 20); // sparse
        }
        Process p = new ProcessBuilder(command(f.toString(), "--write", "--random", "--verify=all", "--passes", "3", "--yes", "--json",
                "--include-boot-area", "--chunk-size", "1M", "--checkpoint-ms", "100")).redirectError(dir.resolve("err.txt").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        ObjectMapper m = new ObjectMapper();
        for (String l = out.readLine(); l != null; l = out.readLine()) {
            JsonNode n = m.readTree(l);
            if (n.get("type").asText().equals("progress") && n.get("done").asLong() > (64L << 20)) {
                p.toHandle().destroyForcibly(); // SIGKILL: no shutdown hook, no last checkpoint
                break;
            }
            assertThat(n.get("type").asText()).as("finished before it could be killed").isNotEqualTo("result");
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(137);
        Path state;
        try (var s = Files.list(dir.resolve("state/sweep"))) {
            state = s.filter(x -> x.getFileName().toString().startsWith("run-")).findFirst().orElseThrow();
        }
        JsonNode st = m.readTree(state.toFile()).get("targets").get(0);
        assertThat(st.get("phase").asInt() * (512L << 20) + st.get("position").asLong()).as("a checkpoint was recorded").isPositive();

        // without --include-boot-area: a resume keeps the run's settings, so the embedded host lowers the guard again
        Result resumed = jdm(f.toString(), "--resume", "--write", "--yes", "--json");
        assertThat(resumed.code()).as(resumed.err() + resumed.out()).isZero();
        JsonNode rep = result(resumed).get("report");
        assertThat(rep.get("result").asText()).isEqualTo("passed");
        assertThat(rep.get("resumes").asInt()).isEqualTo(1);
        assertThat(rep.get("targets").get(0).get("bootAreaIncluded").asBoolean()).isTrue();
        assertThat(rep.get("targets").get(0).get("bytesVerified").asLong()).as("all three passes verified in full, from byte 0")
                .isEqualTo(3 * (512L << 20));
        assertThat(state).doesNotExist();
    }

    @Test
    void shouldRefuseBadPathsWithOneClearError() throws Exception {
        Result missing = jdm(dir.resolve("missing.img").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().strip()).contains("missing.img: no such file or block device [ENOENT]");
        Result directory = jdm(dir.toString());
        assertThat(directory.code()).isEqualTo(2);
        assertThat(directory.err()).contains("is a directory").contains("[EISDIR]");
        Path odd = dir.resolve("odd.img");
        Files.write(odd, new byte[(1 << 20) + 100]);
        Result oddSize = jdm(odd.toString(), "--write", "--yes");
        assertThat(oddSize.code()).isEqualTo(2);
        assertThat(oddSize.err()).contains("size 1048676 is not a multiple of its 512-byte block").contains("[EINVAL]");
        Result mixed = jdm(odd.toString(), "ram0");
        assertThat(mixed.code()).isEqualTo(2);
        assertThat(mixed.err()).contains("ram0: an LU name among paths");
        Result noHost = jdm("ram0");
        assertThat(noHost.code()).as("an LU name needs a running host").isEqualTo(3);
        assertThat(noHost.err()).contains("cannot reach a jdm host");
    }

    @Test
    void shouldRefuseAFileItMayNotWriteBeforeWritingAnything() throws Exception {
        Path f = randomFile("ro.img", 1 << 20);
        String before = sha256(f);
        boolean immutable = false;
        f.toFile().setWritable(false, false);
        if (isRoot()) { // root ignores mode bits; the immutable flag stops it
            immutable = new ProcessBuilder("chattr", "+i", f.toString()).start().waitFor() == 0;
            Assumptions.assumeTrue(immutable, "chattr +i is not available here");
        }
        try {
            Result r = jdm(f.toString(), "--write", "--zeros", "--yes");
            assertThat(r.code()).as(r.out()).isEqualTo(1);
            assertThat(r.err()).contains("cannot be opened for writing").contains("nothing was written").containsPattern("\\[(EACCES|EPERM|EROFS)]");
            assertThat(sha256(f)).isEqualTo(before);
        } finally {
            if (immutable) {
                new ProcessBuilder("chattr", "-i", f.toString()).start().waitFor();
            }
        }
    }

    @Test
    void shouldListATablesTypeAndSweepALoopDeviceAsARealBlockDevice() throws Exception {
        Path f = dir.resolve("mbr.img");
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(16 << 20);
            byte[] mbr = new byte[512];
            ByteBuffer b = ByteBuffer.wrap(mbr).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(440, 0x5eed0001);
            b.put(446 + 4, (byte) 0x83).putInt(446 + 8, 2048).putInt(446 + 12, 8192);
            b.putShort(510, (short) 0xAA55);
            r.write(mbr);
        }
        Result list = jdm("--list", "--json", f.toString());
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains("\"partitionTable\" : \"dos\"").contains("\"uuid\" : \"5eed0001\"");

        String loop = loopDevice(f);
        try {
            Result inUse = jdm("--list", f.toString());
            assertThat(inUse.out()).contains("backs loop device " + loop);
            Result busy = jdm(f.toString(), "--write", "--zeros", "--yes");
            assertThat(busy.code()).isEqualTo(1);
            assertThat(busy.err()).contains("in use (backs loop device").contains("[EBUSY]");
            Result r = jdm(loop, "--write", "--zeros", "--verify=last", "--yes", "--json");
            assertThat(r.code()).as(r.err() + r.out()).isZero();
            assertThat(result(r).get("report").get("targets").get(0).get("bytesVerified").asLong()).isEqualTo((16 << 20) - BOOT);
        } finally {
            new ProcessBuilder("losetup", "-d", loop).start().waitFor();
        }
        byte[] after = Files.readAllBytes(f);
        assertThat(after[510]).as("the MBR in the boot area survives").isEqualTo((byte) 0x55);
        assertThat(after[BOOT + 12345]).isZero();
    }

    /** A loop device over {@code file}, or the test is skipped saying why; detach it with {@link #detach}. */
    static String loopDevice(Path file) throws Exception {
        Assumptions.assumeTrue(isRoot(), "a loop device needs root");
        Process losetup = new ProcessBuilder("losetup", "--find", "--show", file.toString()).start();
        String loop = new String(losetup.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        Assumptions.assumeTrue(losetup.waitFor() == 0 && loop.startsWith("/dev/loop"), "losetup failed: no loop devices here?");
        return loop;
    }

    static void detach(String loop) throws Exception {
        assertThat(new ProcessBuilder("losetup", "-d", loop).start().waitFor()).as("losetup -d " + loop).isZero();
    }

    /** The first offset at or after {@code from} that is not zero, or -1. */
    static int firstNonZero(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] != 0) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void shouldClearALoopDeviceFromByteZeroWithIncludeBootArea() throws Exception {
        Path f = randomFile("whole.img", 16 << 20);
        String loop = loopDevice(f);
        Result r;
        try {
            r = jdm(loop, "--write", "--zeros", "--verify=last", "--yes", "--include-boot-area", "--json");
        } finally {
            detach(loop);
        }
        assertThat(r.code()).as(r.err() + r.out()).isZero();
        JsonNode t = result(r).get("report").get("targets").get(0);
        assertThat(t.get("start").asLong()).isZero();
        assertThat(t.get("bootAreaIncluded").asBoolean()).isTrue();
        assertThat(t.get("coverage").asText()).isEqualTo("device");
        assertThat(t.get("bytesVerified").asLong()).isEqualTo(16 << 20);
        assertThat(result(r).get("report").get("sanitization").get("method").asText()).isEqualTo("Clear");
        byte[] after = Files.readAllBytes(f); // read back through the file, the loop device detached
        assertThat(firstNonZero(after, 0)).as("the first byte that is not zero").isEqualTo(-1);
        Result check = jdm("--check-report", result(r).get("reportJson").asText());
        assertThat(check.code()).as(check.err()).isZero();
        assertThat(check.out()).contains("coverage:  every user-addressable block, boot area included: a Clear of the whole device");
    }

    @Test
    void shouldLeaveTheFirst64KiBOfALoopDeviceUntouchedWithoutTheFlag() throws Exception {
        Path f = randomFile("kept.img", 16 << 20);
        byte[] before = Files.readAllBytes(f);
        String loop = loopDevice(f);
        Result r;
        try {
            r = jdm(loop, "--write", "--zeros", "--verify=last", "--yes", "--json");
        } finally {
            detach(loop);
        }
        assertThat(r.code()).as(r.err() + r.out()).isZero();
        JsonNode t = result(r).get("report").get("targets").get(0);
        assertThat(t.get("bootAreaIncluded").asBoolean(true)).isFalse();
        assertThat(t.get("coverage").asText()).isEqualTo("device-except-boot-area");
        byte[] after = Files.readAllBytes(f);
        assertThat(java.util.Arrays.copyOf(after, BOOT)).as("the boot area, byte for byte").isEqualTo(java.util.Arrays.copyOf(before, BOOT));
        assertThat(firstNonZero(after, BOOT)).as("the first byte after the boot area that is not zero").isEqualTo(-1);
    }

    @Test
    void shouldClearAFileFromByteZeroAndShowItInThePlan() throws Exception {
        Path f = randomFile("file.img", 4 << 20);
        String before = sha256(f);
        Result plan = jdm(f.toString(), "--zeros", "--include-boot-area");
        assertThat(plan.code()).as(plan.err()).isZero();
        assertThat(plan.out()).contains(f + " 4 MiB, whole device: bytes [0x0, 0x400000) = 4194304 bytes; boot area included");
        assertThat(sha256(f)).as("the plan wrote nothing").isEqualTo(before);
        Result r = jdm(f.toString(), "--write", "--random", "--verify=last", "--yes", "--include-boot-area", "--json");
        assertThat(r.code()).as(r.err() + r.out()).isZero();
        assertThat(result(r).get("report").get("targets").get(0).get("bytesVerified").asLong()).isEqualTo(4 << 20);
        byte[] after = Files.readAllBytes(f);
        byte[] seeded = new byte[4 << 20];
        new Random(4 << 20).nextBytes(seeded); // what randomFile wrote
        int same = 0;
        for (int i = 0; i < BOOT; i++) {
            same += after[i] == seeded[i] ? 1 : 0;
        }
        assertThat(same).as("boot-area bytes left as they were (about 1 in 256 by chance)").isLessThan(BOOT / 100);
    }

    static boolean isRoot() throws Exception {
        Process id = new ProcessBuilder("id", "-u").start();
        return new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().equals("0");
    }
}

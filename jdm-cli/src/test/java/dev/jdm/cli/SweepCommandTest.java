package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jdm.sweep.MemorySweepDevice;
import dev.jdm.sweep.MemorySweepDevices;
import dev.jdm.sweep.SweepOptions;
import dev.jdm.sweep.SweepPlan;
import dev.jdm.sweep.SweepState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jdm sweep} run in-process over memory devices the test holds, so their bytes can be checked. */
class SweepCommandTest {
    static final long SIZE = 4L << 20;

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    Run sweep(String... args) {
        List<String> all = new ArrayList<>(List.of("sweep", "--state-dir", dir.resolve("state").toString(), "--chunk-size", "64K"));
        all.addAll(List.of(args));
        String[] a = all.toArray(String[]::new);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = JdmCommand.commandLine(a, provided);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(a);
        return new Run(code, out.toString(), err.toString());
    }

    static MemorySweepDevice filled(MemorySweepDevice.Spec spec) {
        MemorySweepDevice d = new MemorySweepDevice(spec);
        byte[] b = new byte[(int) spec.size()];
        new Random(7).nextBytes(b);
        MemorySegment.copy(b, 0, d.contents(), ValueLayout.JAVA_BYTE, 0, b.length);
        return d;
    }

    static String sha256(MemorySegment s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.toArray(ValueLayout.JAVA_BYTE)));
    }

    MemorySweepDevices provide(MemorySweepDevice... devices) {
        MemorySweepDevices p = new MemorySweepDevices();
        for (MemorySweepDevice d : devices) {
            p.add(d);
        }
        provided = p;
        return p;
    }

    /** The devices the test gives jdm sweep, as an embedding program would; null: jdm chooses. */
    MemorySweepDevices provided;

    @Test
    void shouldLeaveTheTargetByteIdenticalWithoutWrite() throws Exception {
        MemorySweepDevice d = filled(MemorySweepDevice.Spec.whole("ram0", SIZE));
        provide(d);
        String before = sha256(d.contents());
        Run r = sweep("ram0", "--random", "--verify=all", "--passes", "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("would sweep with random data (AES-256-CTR keystream), 2 passes, verify all:")
                .contains("ram0       4 MiB, whole device: bytes [0x10000, 0x400000) = 4128768 bytes; boot area [0, 0x10000) left unchanged")
                .contains("read-only: nothing was written. Add --write to sweep.");
        assertThat(sha256(d.contents())).isEqualTo(before);
        assertThat(d.flushes()).isZero();
        assertThat(dir.resolve("state/sweep/reports")).doesNotExist();
    }

    @Test
    void shouldZeroEverythingOutsideTheBootAreaAndSignAReportThatChecks() throws Exception {
        MemorySweepDevice d = filled(MemorySweepDevice.Spec.whole("ram0", SIZE).withIdentity("RAMDISK", "S-0001"));
        provide(d);
        String boot = sha256(d.contents().asSlice(0, 0x10000));
        Run r = sweep("ram0", "--write", "--yes", "--zeros", "--verify=last");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(sha256(d.contents().asSlice(0, 0x10000))).isEqualTo(boot);
        assertThat(d.contents().asSlice(0x10000).mismatch(MemorySegment.ofArray(new byte[(int) SIZE - 0x10000]))).isEqualTo(-1);
        assertThat(r.out()).contains("result:      PASSED").contains("model RAMDISK, serial S-0001").contains("verified:  4128768 bytes, passed");
        String json = r.out().lines().filter(l -> l.startsWith("report: ")).findFirst().orElseThrow().replaceAll("^report: (\\S+) .*", "$1");
        Run ok = sweep("--check-report", json);
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("signature:   valid, Ed25519 key SHA256:");

        Path tampered = Files.writeString(dir.resolve("tampered.json"), Files.readString(Path.of(json)).replace("\"S-0001\"", "\"S-0002\""));
        Run bad = sweep("--check-report", tampered.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err().strip()).endsWith("the signature does not match: the report was changed after it was signed [EBADMSG]");
        assertThat(bad.err().lines()).hasSize(1);

        Run missing = sweep("--check-report", dir.resolve("nope.json").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.json: no such report [ENOENT]");
        Run garbage = sweep("--check-report", Files.writeString(dir.resolve("g.json"), "PK\u0003\u0004").toString());
        assertThat(garbage.code()).isEqualTo(2);
        assertThat(garbage.err()).contains("g.json: not a JSON sweep report").contains("[EINVAL]");
        Run otherKey = sweep("--check-report", json, "--key", dir.resolve("nope.pub").toString());
        assertThat(otherKey.code()).isEqualTo(2);
        assertThat(otherKey.err()).contains("nope.pub: no such public key file [ENOENT]");
    }

    @Test
    void shouldWriteRandomTwiceVerifyingEveryPassWithJsonProgressAndResult() throws Exception {
        MemorySweepDevice d = new MemorySweepDevice(MemorySweepDevice.Spec.partition("ram0p1", SIZE));
        provide(d);
        Run r = sweep("ram0p1", "--write", "--random", "--verify=all", "--passes", "2", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        ObjectMapper m = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String l : r.out().lines().toList()) {
            lines.add(m.readTree(l)); // every line is one JSON object
        }
        assertThat(lines.getFirst().get("type").asText()).isEqualTo("plan");
        assertThat(lines).anyMatch(n -> n.get("type").asText().equals("progress"));
        JsonNode result = lines.getLast();
        assertThat(result.get("type").asText()).isEqualTo("result");
        assertThat(result.get("status").asText()).isEqualTo("passed");
        JsonNode t = result.get("report").get("targets").get(0);
        assertThat(t.get("bytesWritten").asLong()).isEqualTo(2 * SIZE);
        assertThat(t.get("bytesVerified").asLong()).isEqualTo(2 * SIZE);
        assertThat(d.contents().mismatch(MemorySegment.ofArray(new byte[(int) SIZE]))).as("random data, not zeros").isNotEqualTo(-1);
    }

    @Test
    void shouldRefuseBadTargetsWithOneClearLineAndWriteNothing() throws Exception {
        MemorySweepDevice whole = filled(MemorySweepDevice.Spec.whole("ram0", SIZE));
        MemorySweepDevice busy = filled(MemorySweepDevice.Spec.partition("ram0p1", SIZE).withInUse("exported nbd"));
        MemorySweepDevice odd = filled(MemorySweepDevice.Spec.partition("odd", SIZE + 100));
        provide(whole, busy, odd);
        String w = sha256(whole.contents());
        String b = sha256(busy.contents());
        Run unknown = sweep("ram9", "--write");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err().strip()).isEqualTo("jdm sweep: ram9: no such device (see jdm sweep --list) [ENOENT]");
        Run inUse = sweep("ram0p1", "--write", "--yes");
        assertThat(inUse.code()).isEqualTo(1);
        assertThat(inUse.err().strip()).isEqualTo("jdm sweep: ram0p1: in use (exported nbd); stop using it first [EBUSY]");
        Run size = sweep("odd");
        assertThat(size.code()).isEqualTo(2);
        assertThat(size.err()).contains("odd: size 4194404 is not a multiple of its 512-byte block").contains("[EINVAL]");
        Run unconfirmed = sweep("ram0", "--write");
        assertThat(unconfirmed.code()).isEqualTo(1);
        assertThat(unconfirmed.err()).contains("refusing to write whole device ram0 without confirmation: not a terminal, so add --yes [EPERM]");
        Run bootArea = sweep("ram0", "--write", "--yes", "--include-boot-area");
        assertThat(bootArea.err()).contains("ram0: the device guards its first 0x10000 bytes").contains("[EPERM]");
        Run noResume = sweep("ram0", "--resume");
        assertThat(noResume.code()).isEqualTo(2);
        assertThat(noResume.err()).contains("no interrupted sweep of these targets to resume");
        Run verify = sweep("ram0", "--verify=sometimes");
        assertThat(verify.err()).contains("--verify must be off, last or all, not \"sometimes\" [EINVAL]");
        assertThat(sha256(whole.contents())).isEqualTo(w);
        assertThat(sha256(busy.contents())).isEqualTo(b);
    }

    @Test
    void shouldRefuseToResumeARunThatKeptTheBootAreaAsIfItIncludedIt() throws Exception {
        MemorySweepDevice lowered = filled(MemorySweepDevice.Spec.whole("ram0", SIZE).withGuard(0));
        provide(lowered);
        SweepOptions kept = new SweepOptions(SweepOptions.Method.ZEROS, SweepOptions.Verify.LAST, 1, false, 1 << 16);
        Path state = SweepState.file(dir.resolve("state"), List.of("ram0"));
        SweepState.create(SweepPlan.of(List.of(lowered), kept, true), new byte[32], "run-1", "2026-01-01T00:00:00Z").save(state);
        String before = sha256(lowered.contents());
        Run r = sweep("ram0", "--resume", "--write", "--yes", "--include-boot-area");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("jdm sweep: --include-boot-area: the interrupted run keeps the boot area, and a resume"
                + " keeps its run's settings; resume without it, or remove " + state + " and start a new run [EINVAL]");
        assertThat(sha256(lowered.contents())).isEqualTo(before);
        Run plan = sweep("ram0", "--resume");
        assertThat(plan.out()).as("without the flag the resume goes on as the run was planned")
                .contains("bytes [0x10000, 0x400000) = 4128768 bytes; boot area [0, 0x10000) left unchanged");
    }

    @Test
    void shouldGiveAnHonestFailedReportForADeviceWithWriteErrors() throws Exception {
        Run r = sweep("--memory-device", "bad0:4M,part,fill=0xff,fail-write=0x100000+4096", "bad0", "--write", "--zeros", "--verify=last");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("result:      FAILED").contains("written:   4190208 bytes")
                .contains("error:     EIO write pass 1 at 0x100000+4096: bad0: write error at 1048576 (injected)")
                .contains("error:     MISMATCH verify pass 1 at 0x100000+4096");
    }

    @Test
    void shouldListDevicesWithSizeTypeAndUse() throws Exception {
        Run r = sweep("--list", "--memory-device", "ram0:64M,model=RAMDISK,serial=7", "--memory-device", "ram0p1:32M,part,inuse=exported nbd");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("ram0\\s+64 MiB\\s+512 disk\\s+0x10000.*RAMDISK\\s+no")
                .containsPattern("ram0p1\\s+32 MiB\\s+512 part\\s+-.*exported nbd");
        Run j = sweep("--list", "--json", "--memory-device", "ram0:64M");
        assertThat(new ObjectMapper().readTree(j.out()).get(0).get("size").asLong()).isEqualTo(64L << 20);
        // without memory devices or paths, --list asks a running host; here none is reachable
        String[] a = {"--socket", dir.resolve("nobody.sock").toString(), "sweep", "--list"};
        StringWriter err = new StringWriter();
        var cl = JdmCommand.commandLine(a, provided);
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute(a)).isEqualTo(CliException.NO_HOST);
        assertThat(err.toString()).contains("cannot reach a jdm host at " + dir.resolve("nobody.sock"));
    }
}

package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.jdm.cli.HostProcess.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jdm sweep} as a real process stopped by SIGTERM. Its memory device lives and dies with the
 * process, so what can honestly be checked across processes is the recorded state: where it stopped,
 * what a resume would do, and that a resume on a device that lost the data reports it as failed.
 * (Resume with the data intact is proved in-process by SweeperTest, including after a crash.)
 */
class SweepProcessIT {
    static final String DEVICE = "ram0p1:512M,part";

    @TempDir
    Path dir;

    /** {@code jdm sweep} on a memory device; no host is involved. */
    List<String> command(String... args) {
        List<String> sweep = new ArrayList<>(List.of("sweep", "--state-dir", dir.resolve("state").toString(), "--memory-device", DEVICE,
                "--chunk-size", "1M"));
        sweep.addAll(List.of(args));
        return HostProcess.javaCommandAt(dir.resolve("no-host.sock"), sweep.toArray(String[]::new));
    }

    Result jdm(String... args) throws Exception {
        return HostProcess.run(command(args), 120);
    }

    @Test
    void shouldStopOnSigtermAtAChunkBoundaryAndRecordWhereItStopped() throws Exception {
        Process p = new ProcessBuilder(command("ram0p1", "--write", "--random", "--verify=all", "--passes", "3", "--json"))
                .redirectError(dir.resolve("err.txt").toFile()).start();
        ObjectMapper m = new ObjectMapper();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<JsonNode> lines = new ArrayList<>();
        for (String l = r.readLine(); l != null; l = r.readLine()) {
            JsonNode n = m.readTree(l);
            lines.add(n);
            if (n.get("type").asText().equals("progress") && n.get("done").asLong() > 0) {
                p.toHandle().destroy(); // SIGTERM; Process.destroy would also close our end of its stdout
                break;
            }
        }
        for (String l = r.readLine(); l != null; l = r.readLine()) {
            lines.add(m.readTree(l));
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("err.txt"))).isEqualTo(143);
        JsonNode result = lines.getLast();
        assertThat(result.get("status").asText()).as(lines.toString()).isEqualTo("stopped");
        Path stateFile = Path.of(result.get("state").asText());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stateFile))).isEqualTo("rw-------");
        JsonNode state = m.readTree(stateFile.toFile());
        JsonNode t = state.get("targets").get(0);
        long position = t.get("position").asLong();
        int phase = t.get("phase").asInt();
        assertThat(phase * (512L << 20) + position).as("progress recorded").isPositive();
        assertThat(position % (1 << 20)).as("a chunk boundary").isZero();
        assertThat(state.get("key").asText()).hasSize(44); // base64 of the 32-byte run key

        Result plan = jdm("ram0p1", "--resume");
        assertThat(plan.code()).as(plan.err()).isZero();
        assertThat(plan.out()).contains("would resume sweeping with random data (AES-256-CTR keystream), 3 passes, verify all:")
                .contains("continues at phase " + (phase + 1) + ", byte 0x" + Long.toHexString(position))
                .contains("read-only: nothing was written.");
        assertThat(stateFile).exists();

        // This process's memory device is new and empty: the pass data written before the stop is
        // gone. When the stop fell inside a pass (or in a verify), the resumed run must say so rather
        // than claim success. When it fell exactly where a write pass begins (the stop is taken between
        // phases too), nothing lost is ever read again: the resume rewrites every remaining pass and
        // verifies only those, so it succeeds. With --verify=all the phases alternate write, verify.
        boolean startsAWritePass = position == 0 && phase % 2 == 0;
        Result resumed = jdm("ram0p1", "--resume", "--write");
        assertThat(resumed.out()).contains("(resumed 1x)");
        if (startsAWritePass) {
            assertThat(resumed.code()).as(resumed.out() + resumed.err()).isZero();
            assertThat(resumed.out()).doesNotContain("MISMATCH").doesNotContain("FAILED");
        } else {
            assertThat(resumed.code()).as(resumed.out() + resumed.err()).isEqualTo(1);
            assertThat(resumed.out()).contains("result:      FAILED").contains("MISMATCH");
        }
        assertThat(stateFile).doesNotExist();
    }
}

package dev.jdm.cli;

import dev.jdm.gate.GateClient;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.jdm.gate.proto.BlkLsCall;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import dev.jdm.gate.proto.BlkIoCall;
import dev.jdm.gate.proto.BlkOpenCall;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.jdm.cli.HostProcess.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code jdm sweep LU} against {@code jdm host} running as a process (default modules, ram0 exported
 * over NBD on its Unix socket, TCP off), every step a {@code jdm} process: in-use refusal, a sweep
 * after unexporting, a partition swept by name, a SIGKILLed sweep whose handles the host releases
 * and whose resume completes, since the data lives on in the host.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SweepHostProcessIT {
    static HostProcess host;
    static Path dir;
    static Path socket;
    static final Path CLI = HostProcess.CLI;

    static List<String> command(String... args) {
        return host.javaCommand(args);
    }

    static List<String> sweep(String... args) {
        List<String> a = new ArrayList<>(List.of("sweep", "--state-dir", dir.resolve("sweep-state").toString()));
        a.addAll(List.of(args));
        return command(a.toArray(String[]::new));
    }

    static Result run(List<String> cmd) throws Exception {
        return HostProcess.run(cmd);
    }

    static JsonNode last(Result r) throws Exception {
        return new ObjectMapper().readTree(r.out().lines().reduce((a, b) -> b).orElseThrow());
    }

    @BeforeAll
    static void startHost() throws Exception {
        host = HostProcess.start("jdm-sweep-host-it", "--nbd-tcp", "off");
        dir = host.dir();
        socket = host.socket();
    }

    @AfterAll
    static void stopHost() throws Exception {
        host.close();
    }

    @Test
    @Order(1)
    void shouldListRam0AsInUseWhileExportedAndRefuseToSweepIt() throws Exception {
        Result list = run(sweep("--list"));
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("ram0\\s+256 MiB\\s+512 disk\\s+0x10000 .*exported over nbd");
        Result busy = run(sweep("ram0", "--write", "--zeros", "--yes"));
        assertThat(busy.code()).isEqualTo(1);
        assertThat(busy.err().strip()).isEqualTo("jdm sweep: ram0: in use (exported over nbd); stop using it first [EBUSY]");
        Result unknown = run(sweep("nope0"));
        assertThat(unknown.code()).as("an LU the host lacks exits as jdm blk ls nope0 does").isEqualTo(1);
        assertThat(unknown.err()).contains("no LU named nope0").contains("[ENOENT]");
    }

    @Test
    @Order(2)
    void shouldStillRefuseTheBootAreaOfAnLuWhoseGuardIsUp() throws Exception {
        assertThat(run(command("export", "rm", "ram0")).code()).isZero();
        Result r = run(sweep("ram0", "--zeros", "--write", "--yes", "--include-boot-area"));
        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("jdm sweep: ram0: the host guards its first 0x10000 bytes, and jdm sweep does not lower"
                + " a running host's guard; its driver or an administrator can (jdm blk guard ram0 0, as root or the host's user),"
                + " then sweep with --include-boot-area; nothing was written [EPERM]");
        assertThat(r.out()).as("refused before the plan: nothing shown as if it would run").doesNotContain("will sweep");
        Result plan = run(sweep("ram0", "--zeros", "--include-boot-area"));
        assertThat(plan.code()).as("a read-only plan is refused the same way").isEqualTo(1);
        assertThat(plan.err()).contains("[EPERM]");
        assertThat(run(command("blk", "ls", "ram0")).out()).as("the guard is still up, and nothing holds ram0")
                .containsPattern("ram0 .*\\s0x10000\\s.*\\s0\\s+ramdisk");
        assertThat(run(command("blk", "stat", "ram0")).out()).as("no write reached ram0 (WRITES 0, WRITTEN 0 B)")
                .containsPattern("ram0\\s+\\d+\\s+[\\d.]+ \\S+\\s+0\\s+0 B\\s");
    }

    @Test
    @Order(3)
    void shouldSweepRam0OnceUnexportedAndReleaseIt() throws Exception {
        Result r = run(sweep("ram0", "--zeros", "--write", "--yes", "--verify=last", "--json"));
        assertThat(r.code()).as(r.err() + r.out()).isZero();
        JsonNode t = last(r).get("report").get("targets").get(0);
        assertThat(t.get("name").asText()).isEqualTo("ram0");
        assertThat(t.get("bytesVerified").asLong()).isEqualTo((256L << 20) - 0x10000);
        assertThat(run(command("blk", "ls", "ram0")).out()).as("the sweep's handle is gone").containsPattern("ram0 .*\\s0\\s+ramdisk");
    }

    @Test
    @Order(4)
    void shouldSweepAPartitionByName() throws Exception {
        assertThat(run(command("blk", "guard", "ram0", "0")).code()).isZero();
        byte[] mbr = new byte[512];
        ByteBuffer b = ByteBuffer.wrap(mbr).order(ByteOrder.LITTLE_ENDIAN);
        b.put(446 + 4, (byte) 0x83).putInt(446 + 8, 2048).putInt(446 + 12, 65536); // 32 MiB at 1 MiB
        b.putShort(510, (short) 0xAA55);
        try (GateClient gate = GateClient.connect(socket)) {
            Response open = gate.exchange(Request.newBuilder().setBlkOpen(BlkOpenCall.newBuilder().setName("ram0").setWrite(true)));
            assertThat(open.hasError()).as(open.getError().getMessage()).isFalse();
            Response w = gate.exchange(Request.newBuilder().setBlkIo(BlkIoCall.newBuilder().setHandle(open.getBlkOpen().getHandle())
                    .setOp(BlkIoCall.Op.WRITE).setOffset(0).setLength(512).setData(ByteString.copyFrom(mbr)).setFua(true)));
            assertThat(w.getBlkIo().getStatus()).as(w.getBlkIo().getMessage()).isEmpty();
        }
        long deadline = System.nanoTime() + 5_000_000_000L; // the block layer rescans 20 ms after a table write
        List<String> names = List.of();
        while (System.nanoTime() < deadline && !names.contains("ram0p1")) {
            try (GateClient gate = GateClient.connect(socket)) {
                names = gate.call(Request.newBuilder().setBlkLs(BlkLsCall.getDefaultInstance())).getBlkLs().getLusList().stream()
                        .map(l -> l.getName()).toList();
            }
            Thread.sleep(20);
        }
        assertThat(names).contains("ram0p1");
        Result list = run(sweep("--list"));
        assertThat(list.out()).containsPattern("ram0\\s+256 MiB\\s+512 disk\\s+0x0\\s+dos").containsPattern("ram0p1\\s+32 MiB\\s+512 part\\s+-");
        Result r = run(sweep("ram0p1", "--random", "--verify=last", "--write", "--json"));
        assertThat(r.code()).as(r.err() + r.out()).isZero();
        JsonNode t = last(r).get("report").get("targets").get(0);
        assertThat(t.get("bytesVerified").asLong()).as("a partition is swept whole").isEqualTo(32L << 20);
        assertThat(run(command("blk", "ls")).out()).as("the table outside the partition survived").contains("ram0p1");
    }

    @Test
    @Order(5)
    void shouldReleaseAKilledSweepsHandleAndResumeItToAVerifiedEnd() throws Exception {
        Process p = new ProcessBuilder(sweep("ram0p1", "--write", "--random", "--verify=all", "--passes", "3", "--json",
                "--chunk-size", "1M", "--checkpoint-ms", "50")).redirectError(dir.resolve("err.txt").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        ObjectMapper m = new ObjectMapper();
        for (String l = out.readLine(); l != null; l = out.readLine()) {
            JsonNode n = m.readTree(l);
            assertThat(n.get("type").asText()).as("finished before it could be killed").isNotEqualTo("result");
            if (n.get("type").asText().equals("progress") && n.get("done").asLong() > (8L << 20)) {
                p.toHandle().destroyForcibly();
                break;
            }
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + 5_000_000_000L;
        String ls = "";
        while (System.nanoTime() < deadline) {
            ls = run(command("blk", "ls", "ram0p1")).out();
            if (!ls.contains("sweep")) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(ls).as("the host closed the dead connection's handle").doesNotContain("sweep");
        Result resumed = run(sweep("ram0p1", "--resume", "--write", "--json"));
        assertThat(resumed.code()).as(resumed.err() + resumed.out()).isZero();
        JsonNode rep = last(resumed).get("report");
        assertThat(rep.get("result").asText()).isEqualTo("passed");
        assertThat(rep.get("resumes").asInt()).isEqualTo(1);
        assertThat(rep.get("targets").get(0).get("bytesVerified").asLong()).isEqualTo(3 * (32L << 20));
    }

    @Test
    @Order(6)
    void shouldReportADeviceThatFailsWritesHonestly() throws Exception {
        Result ins = run(command("insmod", CLI.resolve("modules/faultdisk.jar").toAbsolutePath().toString(), "name=bad0", "size=8M",
                "fail_write=4M+64K"));
        assertThat(ins.code()).as(ins.err()).isZero();
        Result r = run(sweep("bad0", "--zeros", "--verify=last", "--write", "--yes", "--json"));
        assertThat(r.code()).as("a failed sweep exits 1: %s", r.err()).isEqualTo(1);
        JsonNode rep = last(r).get("report");
        assertThat(rep.get("result").asText()).isEqualTo("failed");
        JsonNode t = rep.get("targets").get(0);
        assertThat(t.get("result").asText()).isEqualTo("failed");
        assertThat(t.get("errors").size()).isPositive();
        for (JsonNode e : t.get("errors")) {
            assertThat(e.get("offset").asLong()).as("every error lies in the failing range").isBetween(4L << 20, (4L << 20) + (64 << 10) - 1);
        }
        assertThat(t.get("bytesWritten").asLong()).as("everything else was written").isEqualTo((8L << 20) - 0x10000 - (64 << 10));
        Result check = run(command("sweep", "--state-dir", dir.resolve("sweep-state").toString(), "--check-report",
                last(r).get("reportJson").asText()));
        assertThat(check.code()).as("the failed report is signed like any other: %s", check.err()).isZero();
        assertThat(run(command("rmmod", "faultdisk")).code()).isZero();
    }

    @Test
    @Order(7)
    void shouldStopCleanly() throws Exception {
        host.process().destroy();
        assertThat(host.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(host.process().exitValue()).isIn(0, 143);
    }
}

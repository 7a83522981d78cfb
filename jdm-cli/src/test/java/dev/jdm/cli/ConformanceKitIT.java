package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jdm.cli.HostProcess.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The conformance kit: module binaries built against every released ABI generation, committed
 * under {@code conformance/GENERATION/}, loaded into today's host as a process and made to work:
 * I/O through an old block driver from a real NBD client, votes from old security modules.
 * nbdkit's {@code tests/old-plugins} is the model.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConformanceKitIT {
    static final Path KIT = Path.of("../conformance/JDM_1.0").toAbsolutePath().normalize();
    static HostProcess host;

    @BeforeAll
    static void startHostOnTheKit() throws Exception {
        host = HostProcess.start("jdm-kit-it", "--nbd-tcp", "off", "--modules-dir", KIT.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    static Result jdm(String... args) throws Exception {
        Result r = host.jdm(args);
        assertThat(r.code()).as("jdm %s: %s", String.join(" ", args), r.err()).isZero();
        return r;
    }

    @Test
    @Order(1)
    void shouldLoadEveryOldBinaryOfTheKit() throws Exception {
        try (Stream<Path> jars = Files.list(KIT)) {
            assertThat(jars.filter(p -> p.toString().endsWith(".jar")).count()).as("kit binaries").isEqualTo(9);
        }
        // the default set, loaded at start from the kit
        for (String m : List.of("hello", "caps", "devacl", "audit", "ramdisk")) {
            assertThat(host.banner()).as("banner").anyMatch(l -> l.contains("module:    " + m + " (live)"));
        }
        jdm("modprobe", "kstack-user"); // its dependency kstack comes from the kit's index too
        Path backing = host.dir().resolve("disk.img");
        Files.write(backing, new byte[4 << 20]);
        jdm("insmod", KIT.resolve("filedisk.jar").toString(), "backing=" + backing);
        jdm("insmod", KIT.resolve("faultdisk.jar").toString(), "size=8M", "fail_write=1M+64K");
        String lsmod = jdm("lsmod").out();
        for (String m : List.of("hello", "caps", "devacl", "audit", "ramdisk", "kstack", "kstack-user", "filedisk", "faultdisk")) {
            assertThat(lsmod).as("lsmod").containsPattern("(?m)^" + m + "\\s");
        }
        assertThat(jdm("modinfo", "ramdisk").out()).containsPattern("abi:\\s+JDM_1.0")
                .containsPattern("adapter:\\s+dev.jdm.abi.blk.BlockDriver \\(JDM_1.0\\) served as BlockQueueDriver \\(JDM_1.1\\)");
        assertThat(jdm("dmesg").out()).contains("ramdisk: loaded from " + KIT.resolve("ramdisk.jar") + " (JDM_1.0, ");
        assertThat(jdm("blk", "ls").out()).contains("ram0").contains("file0").contains("fault0");
    }

    @Test
    @Order(2)
    void shouldCarryIoThroughAnOldBlockDriverFromARealClient() throws Exception {
        Path nbdcopy = Path.of("/usr/bin/nbdcopy");
        assumeTrue(Files.isExecutable(nbdcopy), "nbdcopy (libnbd-bin) is missing: cannot drive the old ramdisk over NBD");
        jdm("blk", "guard", "ram0", "0"); // the copy starts at byte 0, in the boot area
        byte[] data = new byte[16 << 20];
        new Random(10).nextBytes(data);
        Path in = Files.write(host.dir().resolve("in.bin"), data);
        Path out = host.dir().resolve("out.bin");
        String uri = "nbd+unix:///ram0?socket=" + host.nbdSocket();
        Result put = HostProcess.run(List.of(nbdcopy.toString(), in.toString(), uri));
        assertThat(put.code()).as(put.err()).isZero();
        Result get = HostProcess.run(List.of(nbdcopy.toString(), "--no-extents", uri, out.toString()));
        assertThat(get.code()).as(get.err()).isZero();
        byte[] back = Files.readAllBytes(out);
        assertThat(back.length).isEqualTo(256 << 20);
        assertThat(sha256(java.util.Arrays.copyOf(back, data.length))).isEqualTo(sha256(data));
        // READS READ WRITES WRITTEN: the 16 MiB went through the old driver's submit
        assertThat(jdm("blk", "stat", "ram0").out()).containsPattern("(?m)^ram0\\s+\\d+\\s+256\\.0 MiB\\s+[1-9]\\d*\\s+16 MiB\\s");
    }

    @Test
    @Order(3)
    void shouldHearVotesFromTheOldSecurityModules() throws Exception {
        Path log = host.dir().resolve("state/security/audit/audit.log");
        // the NBD opens above went through dev_open; the old audit records each module's vote
        List<String> lines = Files.readAllLines(log);
        String open = lines.stream().filter(l -> l.contains("\"hook\":\"dev_open\"") && l.contains("ram0")).findFirst()
                .orElseThrow(() -> new AssertionError("no dev_open decision on ram0 in " + lines));
        assertThat(open).contains("{\"module\":\"caps\",\"mode\":\"enforcing\",\"vote\":\"allow\"}")
                .contains("{\"module\":\"devacl\",\"mode\":\"enforcing\",\"vote\":")
                .contains("{\"module\":\"audit\",\"mode\":\"enforcing\",\"vote\":\"no_opinion\"}")
                .contains("\"verdict\":\"allow\"");
        // and the old devacl still takes a new policy and refuses a broken one with line and column
        Path bad = Files.writeString(host.dir().resolve("bad.toml"), "[[rule]]\ndevice = \n");
        Result refused = host.jdm("sec", "reload", "devacl", bad.toString());
        assertThat(refused.code()).isNotZero();
        assertThat(refused.err()).contains("devacl: policy line 2, column 10").contains("the previous policy stays in force");
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}

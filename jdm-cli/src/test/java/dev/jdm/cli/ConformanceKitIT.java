package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jdm.cli.HostProcess.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance kit: module binaries built against every released ABI generation, committed
 * under {@code conformance/GENERATION/}, loaded into today's host as a process and made to work:
 * I/O through an old block driver from a real NBD client, votes from old security modules.
 * nbdkit's {@code tests/old-plugins} is the model.
 */
class ConformanceKitIT {
    static final Path CONFORMANCE = Path.of("../conformance").toAbsolutePath().normalize();
    static final Path BASELINES = Path.of("../jdm-abi/baselines").toAbsolutePath().normalize();
    static final List<String> MODULES = List.of("hello", "caps", "devacl", "audit", "ramdisk", "kstack", "kstack-user", "filedisk", "faultdisk");

    static Stream<String> generations() throws IOException {
        try (Stream<Path> dirs = Files.list(CONFORMANCE)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @Test
    void shouldHaveAKitForEveryReleasedGeneration() throws IOException {
        List<String> released;
        try (Stream<Path> files = Files.list(BASELINES)) {
            released = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".symvers"))
                    .map(n -> n.substring(0, n.length() - ".symvers".length())).sorted().toList();
        }
        assertThat(released).contains("JDM_1.0", "JDM_1.1");
        assertThat(generations().toList()).as("a conformance/G kit for each jdm-abi/baselines/G.symvers").isEqualTo(released);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("generations")
    void shouldRunEveryOldBinaryOfTheKit(String generation) throws Exception {
        Path kit = CONFORMANCE.resolve(generation);
        try (Stream<Path> jars = Files.list(kit)) {
            assertThat(jars.filter(p -> p.toString().endsWith(".jar")).map(p -> p.getFileName().toString().replace(".jar", ""))
                    .map(n -> n.replace("sec-", ""))).as("kit binaries").containsExactlyInAnyOrderElementsOf(MODULES);
        }
        try (HostProcess host = HostProcess.start("jdm-kit-it", "--nbd-tcp", "off", "--modules-dir", kit.toString())) {
            loadAll(host, kit, generation);
            ioThroughTheOldRamdisk(host);
            votesFromTheOldSecurityModules(host);
        }
    }

    static Result jdm(HostProcess host, String... args) throws Exception {
        Result r = host.jdm(args);
        assertThat(r.code()).as("jdm %s: %s", String.join(" ", args), r.err()).isZero();
        return r;
    }

    static void loadAll(HostProcess host, Path kit, String generation) throws Exception {
        // the default set, loaded at start from the kit
        for (String m : List.of("hello", "caps", "devacl", "audit", "ramdisk")) {
            assertThat(host.banner()).as("banner").anyMatch(l -> l.contains("module:    " + m + " (live)"));
        }
        jdm(host, "modprobe", "kstack-user"); // its dependency kstack comes from the kit's index too
        Path backing = host.dir().resolve("disk.img");
        Files.write(backing, new byte[4 << 20]);
        jdm(host, "insmod", kit.resolve("filedisk.jar").toString(), "backing=" + backing);
        jdm(host, "insmod", kit.resolve("faultdisk.jar").toString(), "size=8M", "fail_write=1M+64K");
        String lsmod = jdm(host, "lsmod").out();
        for (String m : MODULES) {
            assertThat(lsmod).as("lsmod").containsPattern("(?m)^" + m + "\\s");
        }
        String adapter = "adapter:\\s+dev.jdm.abi.blk.BlockDriver \\(JDM_1.0\\) served as BlockQueueDriver \\(JDM_1.1\\)";
        String ramdisk = jdm(host, "modinfo", "ramdisk").out();
        assertThat(ramdisk).containsPattern("abi:\\s+" + generation.replace(".", "\\."));
        if (generation.equals("JDM_1.0")) {
            assertThat(ramdisk).containsPattern(adapter);
        } else {
            assertThat(ramdisk).doesNotContain("adapter:");
        }
        assertThat(jdm(host, "modinfo", "faultdisk").out()).as("faultdisk stays on BlockDriver").containsPattern(adapter);
        assertThat(jdm(host, "dmesg").out()).contains("ramdisk: loaded from " + kit.resolve("ramdisk.jar") + " (" + generation + ", ");
        assertThat(jdm(host, "blk", "ls").out()).contains("ram0").contains("file0").contains("fault0");
    }

    static void ioThroughTheOldRamdisk(HostProcess host) throws Exception {
        Path nbdcopy = Path.of("/usr/bin/nbdcopy");
        assumeTrue(Files.isExecutable(nbdcopy), "nbdcopy (libnbd-bin) is missing: cannot drive the old ramdisk over NBD");
        jdm(host, "blk", "guard", "ram0", "0"); // the copy starts at byte 0, in the boot area
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
        assertThat(sha256(Arrays.copyOf(back, data.length))).isEqualTo(sha256(data));
        // READS READ WRITES WRITTEN: the 16 MiB went through the old driver's submit
        assertThat(jdm(host, "blk", "stat", "ram0").out()).containsPattern("(?m)^ram0\\s+\\d+\\s+256\\.0 MiB\\s+[1-9]\\d*\\s+16 MiB\\s");
    }

    static void votesFromTheOldSecurityModules(HostProcess host) throws Exception {
        Path log = host.dir().resolve("state/security/audit/audit.log");
        // the NBD opens went through dev_open; the old audit records each module's vote
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

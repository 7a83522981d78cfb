package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The NBD server against real peers: nbdinfo, nbdcopy (libnbd), qemu-img and qemu-io (qemu) and
 * fio's nbd engine, all talking to {@code jdm host} started as a process. A test whose tool is
 * not installed is skipped with a message naming the Debian package.
 */
class NbdPeersIT {
    static HostProcess host;
    static Path dir;
    static Path nbdSocket;
    static int tcpPort;

    record Run(int code, String out) {}

    static HostProcess.Result jdm(String... args) throws Exception {
        return host.jdm(args);
    }

    @BeforeAll
    static void startHost() throws Exception {
        host = HostProcess.start("jdm-nbd-it", "--nbd-tcp", "127.0.0.1:0", "--nbd-memory", "mem0:64M", "--nbd-memory", "copy0:64M");
        dir = host.dir();
        nbdSocket = host.nbdSocket();
        for (String line : host.banner()) {
            Matcher m = Pattern.compile("nbd:\\s+nbd://127\\.0\\.0\\.1:(\\d+)/mem0").matcher(line);
            if (m.find()) {
                tcpPort = Integer.parseInt(m.group(1));
            }
        }
        assertThat(host.banner()).as("host banner").anyMatch(l -> l.equals("nbd:       nbd+unix:///mem0?socket=" + nbdSocket));
        assertThat(tcpPort).as("TCP port in %s", host.banner()).isPositive();
    }

    @AfterAll
    static void stopHost() throws Exception {
        host.close();
    }

    /** nbdinfo --map's lines with their columns separated by one space: "offset length type description". */
    static java.util.List<String> mapLines(Run map) {
        return map.out().lines().map(String::strip).map(l -> l.replaceAll("\\s+", " ")).toList();
    }

    static String unix(String export) {
        return "nbd+unix:///" + export + "?socket=" + nbdSocket;
    }

    static String tcp(String export) {
        return "nbd://127.0.0.1:" + tcpPort + "/" + export;
    }

    static void need(String tool, String pkg) {
        boolean found = false;
        for (String p : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            found |= Files.isExecutable(Path.of(p, tool));
        }
        assumeTrue(found, tool + " is not installed (Debian package " + pkg + "); skipping this peer test");
    }

    static Run run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("%s finished", String.join(" ", cmd)).isTrue();
        return new Run(p.exitValue(), out);
    }

    static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    /** A 64 MiB image: random data at the start and in the middle, holes elsewhere. */
    static Path randomImage(String name, long seed) throws Exception {
        byte[] img = new byte[64 << 20];
        Random rnd = new Random(seed);
        byte[] chunk = new byte[5 << 20];
        rnd.nextBytes(chunk);
        System.arraycopy(chunk, 0, img, 0, chunk.length);
        rnd.nextBytes(chunk);
        System.arraycopy(chunk, 0, img, 40 << 20, chunk.length);
        return Files.write(dir.resolve(name), img);
    }

    @Test
    void shouldListAndDescribeExportsWithNbdinfo() throws Exception {
        need("nbdinfo", "libnbd-bin");
        Run list = run("nbdinfo", "--list", "nbd+unix:///?socket=" + nbdSocket);
        assertThat(list.code()).as(list.out()).isZero();
        assertThat(list.out()).contains("export=\"mem0\"").contains("export=\"copy0\"").contains("base:allocation");
        Run one = run("nbdinfo", tcp("mem0"));
        assertThat(one.code()).as(one.out()).isZero();
        assertThat(one.out()).contains("export-size: 67108864").contains("can_multi_conn: true").contains("is_read_only: false")
                .contains("block_size_maximum: 33554432");
    }

    @Test
    void shouldCopyARandomImageInAndOutWithQemuImg() throws Exception {
        need("qemu-img", "qemu-utils");
        Path in = randomImage("in.raw", 1);
        Path out = dir.resolve("out.raw");
        Run put = run("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", in.toString(), tcp("mem0"));
        assertThat(put.code()).as(put.out()).isZero();
        Run get = run("qemu-img", "convert", "-f", "raw", "-O", "raw", unix("mem0"), out.toString());
        assertThat(get.code()).as(get.out()).isZero();
        assertThat(sha256(out)).isEqualTo(sha256(in));
    }

    @Test
    void shouldCopyBothWaysWithNbdcopyOverSeveralConnections() throws Exception {
        need("nbdcopy", "libnbd-bin");
        Path in = randomImage("copy-in.raw", 2);
        Path out = dir.resolve("copy-out.raw");
        // CAN_MULTI_CONN is advertised, so nbdcopy really opens this many connections.
        Run put = run("nbdcopy", "--connections=4", in.toString(), unix("copy0"));
        assertThat(put.code()).as(put.out()).isZero();
        Run get = run("nbdcopy", "--connections=4", tcp("copy0"), out.toString());
        assertThat(get.code()).as(get.out()).isZero();
        assertThat(sha256(out)).isEqualTo(sha256(in));
    }

    @Test
    void shouldReportAllocationTruthfully() throws Exception {
        need("nbdinfo", "libnbd-bin");
        need("qemu-io", "qemu-utils");
        assertThat(jdm("export", "add", "map0", "--memory", "16M").code()).isZero();
        Run w = run("qemu-io", "-f", "raw", "-c", "write -P 0x55 1M 64k", unix("map0"));
        assertThat(w.code()).as(w.out()).isZero();
        Run map = run("nbdinfo", "--map", unix("map0"));
        assertThat(map.code()).as(map.out()).isZero();
        assertThat(mapLines(map))
                .containsExactly("0 1048576 3 hole,zero", "1048576 65536 0 data", "1114112 15663104 3 hole,zero");
    }

    @Test
    void shouldReportTheHolesADriverKnowsThroughTheBlockLayer() throws Exception {
        need("nbdinfo", "libnbd-bin");
        Path img = dir.resolve("sparse.img");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(16 << 20);
            f.seek(1 << 20);
            f.write(new byte[65536]); // written zeroes: allocated, so data
            f.getFD().sync();
        }
        HostProcess.Result ins = jdm("insmod", HostProcess.CLI.resolve("modules/filedisk.jar").toString(), "backing=" + img, "name=fmap0");
        assertThat(ins.code()).as(ins.err()).isZero();
        assertThat(jdm("export", "add", "fmap0").code()).isZero();
        Run map = run("nbdinfo", "--map", unix("fmap0"));
        assertThat(map.code()).as(map.out()).isZero();
        assertThat(mapLines(map))
                .as("filedisk's SEEK_DATA/SEEK_HOLE, through the LU and NBD base:allocation")
                .containsExactly("0 1048576 3 hole,zero", "1048576 65536 0 data", "1114112 15663104 3 hole,zero");
        assertThat(jdm("export", "rm", "fmap0").code()).isZero();
        assertThat(jdm("rmmod", "filedisk").code()).isZero();
    }

    @Test
    void shouldServeAnUnmodifiedNbdkitPluginBinaryAsAnLu() throws Exception {
        need("nbdinfo", "libnbd-bin");
        need("qemu-io", "qemu-utils");
        String jar = HostProcess.CLI.resolve("modules/dde-nbdkit.jar").toString();
        HostProcess.Result refused = jdm("insmod", jar, "plugin=memory", "config=size=16M", "name=kit0");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("declares native code").contains("module.native_colocated=1").contains("EPERM");
        assertThat(jdm("sysctl", "-w", "module.native_colocated=1").code()).isZero();
        HostProcess.Result ins = jdm("insmod", jar, "plugin=memory", "config=size=16M", "name=kit0");
        assertThat(ins.code()).as(ins.err()).isZero();
        assertThat(jdm("taint").out()).contains("X");
        assertThat(jdm("export", "add", "kit0").code()).isZero();
        Run w = run("qemu-io", "-f", "raw", "-c", "write -P 0x5a 1M 64k", "-c", "read -P 0x5a 1M 64k", unix("kit0"));
        assertThat(w.code()).as(w.out()).isZero();
        assertThat(w.out()).doesNotContain("Pattern verification failed");
        Run map = run("nbdinfo", "--map", unix("kit0"));
        assertThat(mapLines(map))
                .as("the memory plugin's own extents, through the LU")
                .containsExactly("0 1048576 3 hole,zero", "1048576 65536 0 data", "1114112 15663104 3 hole,zero");
        assertThat(jdm("export", "rm", "kit0").code()).isZero();
        assertThat(jdm("rmmod", "dde-nbdkit").code()).isZero();
    }

    @Test
    void shouldPassFioRandomWritesWithCrc32cVerification() throws Exception {
        need("fio", "fio");
        assertThat(jdm("export", "add", "fio0", "--memory", "64M").code()).isZero();
        Run engines = run("fio", "--enghelp");
        assumeTrue(engines.out().contains("nbd"), "this fio has no nbd engine (built without libnbd); skipping");
        Run fio = run("fio", "--name=verify", "--ioengine=nbd", "--uri=" + unix("fio0"), "--rw=randwrite", "--bs=4k", "--size=32M",
                "--iodepth=16", "--verify=crc32c", "--do_verify=1", "--verify_fatal=1", "--verify_state_save=0");
        assertThat(fio.code()).as(fio.out()).isZero();
        assertThat(fio.out()).contains("err= 0").doesNotContain("verify: bad");
    }

    @Test
    void shouldServeTheRamdiskLuAndRefuseBootAreaWrites() throws Exception {
        need("nbdinfo", "libnbd-bin");
        need("qemu-io", "qemu-utils");
        Run info = run("nbdinfo", unix("ram0"));
        assertThat(info.code()).as(info.out()).isZero();
        assertThat(info.out()).contains("export-size: 268435456").contains("can_multi_conn: true");
        Run boot = run("qemu-io", "-f", "raw", "-c", "write -P 0x11 0 4k", unix("ram0"));
        assertThat(boot.out()).as("a write into [0, 0x10000) is refused by the block layer's guard").contains("Operation not permitted");
        Run edge = run("qemu-io", "-f", "raw", "-c", "write -P 0x22 60k 8k", unix("ram0"));
        assertThat(edge.out()).as("a write that overlaps the guard's end").contains("Operation not permitted");
        Run ok = run("qemu-io", "-f", "raw", "-c", "write -P 0x33 64k 64k", "-c", "read -P 0x33 64k 64k", "-c", "read -P 0 0 4k", unix("ram0"));
        assertThat(ok.code()).as(ok.out()).isZero();
        assertThat(ok.out()).doesNotContain("Pattern verification failed").doesNotContain("Operation not permitted");
        HostProcess.Result ls = jdm("blk", "ls", "--json");
        assertThat(ls.out()).as("the exported LU is held by the NBD export").contains("nbd");
        assertThat(jdm("rmmod", "ramdisk").err()).as("an exported LU pins its driver").contains("EBUSY");
    }

    @Test
    void shouldPassFioVerificationOnTheRamdiskLuBeyondTheBootArea() throws Exception {
        need("fio", "fio");
        Run engines = run("fio", "--enghelp");
        assumeTrue(engines.out().contains("nbd"), "this fio has no nbd engine (built without libnbd); skipping");
        Run fio = run("fio", "--name=lu", "--ioengine=nbd", "--uri=" + unix("ram0"), "--rw=randwrite", "--bs=4k", "--offset=1M",
                "--size=32M", "--iodepth=16", "--verify=crc32c", "--do_verify=1", "--verify_fatal=1", "--verify_state_save=0");
        assertThat(fio.code()).as(fio.out()).isZero();
        assertThat(fio.out()).contains("err= 0").doesNotContain("verify: bad");
    }

    @Test
    void shouldRefuseWritesToAReadOnlyExport() throws Exception {
        need("nbdcopy", "libnbd-bin");
        need("nbdinfo", "libnbd-bin");
        HostProcess.Result add = jdm("export", "add", "mem0", "--name", "mem0-ro", "--read-only");
        assertThat(add.code()).as(add.out() + add.err()).isZero();
        assertThat(run("nbdinfo", unix("mem0-ro")).out()).contains("is_read_only: true");
        Path small = Files.write(dir.resolve("small.raw"), new byte[1 << 20]);
        Run copy = run("nbdcopy", small.toString(), unix("mem0-ro"));
        assertThat(copy.code()).as(copy.out()).isNotZero();
        assertThat(copy.out()).containsIgnoringCase("read-only");
    }

    @Test
    void shouldExportAndUnexportUnderTheBlockCommandsToo() throws Exception {
        HostProcess.Result add = jdm("blk", "export", "copy0", "--name", "via-blk", "--read-only");
        assertThat(add.code()).as(add.err()).isZero();
        assertThat(add.out()).contains("via-blk: exported read-only").contains("nbd+unix:///via-blk?socket=" + nbdSocket);
        assertThat(jdm("export", "ls").out()).contains("via-blk");
        assertThat(jdm("blk", "unexport", "via-blk").code()).isZero();
        assertThat(jdm("export", "ls").out()).doesNotContain("via-blk");
        HostProcess.Result again = jdm("blk", "unexport", "via-blk");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("no export named via-blk").contains("[ENOENT]");
    }

    @Test
    void shouldManageExportsFromTheCli() throws Exception {
        HostProcess.Result ls = jdm("export", "ls");
        assertThat(ls.code()).isZero();
        assertThat(ls.out()).contains("mem0").contains("nbd+unix:///mem0?socket=" + nbdSocket).contains("nbd://127.0.0.1:" + tcpPort + "/mem0");
        HostProcess.Result dup = jdm("export", "add", "mem0");
        assertThat(dup.code()).isEqualTo(1);
        assertThat(dup.err()).contains("export mem0 already exists").contains("[EEXIST]");
        HostProcess.Result missing = jdm("export", "rm", "nope");
        assertThat(missing.err()).contains("no export named nope").contains("[ENOENT]");
        assertThat(jdm("export", "add", "rm0", "--memory", "1M").code()).isZero();
        assertThat(jdm("export", "rm", "rm0").code()).isZero();
        assertThat(jdm("export", "ls", "--json").out()).doesNotContain("rm0").contains("\"socket\"");
    }
}

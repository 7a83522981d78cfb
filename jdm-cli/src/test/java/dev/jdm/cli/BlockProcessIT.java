package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.jdm.cli.HostProcess.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** {@code jdm host} as a process with the default ramdisk, driven by {@code jdm blk} processes. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BlockProcessIT {
    static final Path CLI = HostProcess.CLI;
    static HostProcess host;
    static Path dir;
    static List<String> banner;

    static Result jdm(String... args) throws Exception {
        return host.jdm(args);
    }

    @BeforeAll
    static void startHost() throws Exception {
        host = HostProcess.start("jdm-blk-it", "--nbd-tcp", "off");
        dir = host.dir();
        banner = host.banner();
    }

    @AfterAll
    static void stopHost() throws Exception {
        host.close();
    }

    @Test
    @Order(1)
    void shouldCreateRam0ByDefaultAndListIt() throws Exception {
        assertThat(banner).anyMatch(l -> l.contains("module:    ramdisk (live)"))
                .anyMatch(l -> l.startsWith("disk:      ram0 256 MiB (ramdisk, boot guard 0x10000, table none)"));
        Result ls = jdm("blk", "ls");
        assertThat(ls.code()).as(ls.err()).isZero();
        assertThat(ls.out()).startsWith("NAME").containsPattern("ram0\\s+256 MiB\\s+512/4096\\s+0x10000\\s+none\\s+rw\\s+1 nbd\\s+ramdisk"); // ram0 is exported by default
        Result json = jdm("blk", "ls", "--json");
        assertThat(json.out()).contains("\"name\" : \"ram0\"").contains("\"size\" : 268435456").contains("\"boot_guard\" : 65536")
                .contains("\"capabilities\" : [ \"discard\", \"write-zeroes\", \"fast-zero\" ]");
    }

    @Test
    @Order(2)
    void shouldShowStatisticsOfThePartitionScan() throws Exception {
        Result stat = jdm("blk", "stat", "ram0");
        assertThat(stat.code()).as(stat.err()).isZero();
        assertThat(stat.out().lines().toList()).hasSize(2);
        assertThat(stat.out()).containsPattern("ram0\\s+1\\s+512 B\\s+0\\s+0 B"); // the scan read LBA 0
        Result json = jdm("blk", "stat", "--json");
        assertThat(json.out()).contains("\"reads\" : 1").contains("\"p99_nanos\"")
                .contains("\"writes\" : 0").contains("\"errors\" : 0").contains("\"in_flight\" : 0"); // zeros are shown too
    }

    @Test
    @Order(3)
    void shouldChangeTheGuardAsALoggedPrivilegedAction() throws Exception {
        Result g = jdm("blk", "guard", "ram0", "0");
        assertThat(g.code()).as(g.err()).isZero();
        assertThat(g.out().strip()).isEqualTo("ram0: boot guard 0x0");
        assertThat(jdm("blk", "ls", "ram0").out()).contains("0x0 ");
        assertThat(jdm("dmesg").out()).containsPattern("notice\\s+blk: ram0: boot guard 0x10000 -> 0x0 by uid \\d+");
        assertThat(jdm("blk", "guard", "ram0", "64K").out().strip()).isEqualTo("ram0: boot guard 0x10000");
        Result missing = jdm("blk", "guard", "nope0", "0");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err().lines().toList()).singleElement().asString().contains("no LU named nope0").contains("[ENOENT]");
        Result bad = jdm("blk", "guard", "ram0", "lots");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("\"lots\" is not a byte count");
        Result big = jdm("blk", "guard", "ram0", "1G");
        assertThat(big.code()).isEqualTo(1);
        assertThat(big.err()).contains("[EINVAL]");
    }

    @Test
    @Order(4)
    void shouldFindPartitionsOfAGrantedFileAndRescan() throws Exception {
        Path img = dir.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(8 << 20);
            byte[] mbr = new byte[512];
            ByteBuffer b = ByteBuffer.wrap(mbr).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(440, 0xcafe0001);
            b.put(446 + 4, (byte) 0x83).putInt(446 + 8, 2048).putInt(446 + 12, 4096);
            b.put(446 + 16 + 4, (byte) 0x83).putInt(446 + 16 + 8, 4000).putInt(446 + 16 + 12, 100);   // overlaps the first
            b.putShort(510, (short) 0xAA55);
            f.write(mbr);
        }
        Result ins = jdm("insmod", CLI.resolve("modules/filedisk.jar").toString(), "backing=" + img, "name=fd0");
        assertThat(ins.code()).as(ins.err()).isZero();
        Result ls = jdm("blk", "ls");
        assertThat(ls.out()).containsPattern("fd0\\s+8 MiB\\s+512/4096\\s+0x10000\\s+dos").containsPattern("fd0p1\\s+2 MiB\\s+512/4096\\s+0x0\\s+part");
        assertThat(ls.out()).doesNotContain("fd0p2");
        assertThat(jdm("dmesg").out()).contains("fd0: partition table: dos entry 2: overlaps an earlier partition; ignored");
        Result rescan = jdm("blk", "rescan", "fd0");
        assertThat(rescan.code()).as(rescan.err()).isZero();
        assertThat(rescan.out()).contains("fd0p1").contains("problem: dos entry 2: overlaps");
        Result part = jdm("blk", "rescan", "fd0p1");
        assertThat(part.err()).contains("is a partition").contains("[EINVAL]");
        assertThat(jdm("rmmod", "filedisk").code()).isZero();
        assertThat(jdm("blk", "ls").out()).doesNotContain("fd0");
    }

    @Test
    @Order(5)
    void shouldStopCleanly() throws Exception {
        host.process().destroy();
        assertThat(host.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(host.process().exitValue()).isIn(0, 143);
    }
}

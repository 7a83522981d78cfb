package dev.jdm.drivers.filedisk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.HostException;
import dev.jdm.host.block.BlockDriverContract;
import dev.jdm.host.block.LuHandle;
import dev.jdm.symvers.JarContents;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The filedisk passes the block driver contract over a sparse file; plus its own options. */
class FileDiskTest extends BlockDriverContract {
    Path backing;

    @Override
    protected String moduleName() {
        return "filedisk";
    }

    @Override
    protected Map<String, String> freshDeviceParams(Path tmp) throws IOException {
        backing = tmp.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength(16L << 20); // sparse, reads as zeroes
        }
        return Map.of("backing", backing.toString(), "name", "filet0");
    }

    @Override
    protected String luName() {
        return "filet0";
    }

    @Test
    void shouldWriteThroughToTheBackingFileAndPunchHolesOnDiscard() throws Exception {
        MemorySegment data = pattern(65536, 11);
        assertThat(lu.write(0x400000, data, 0)).isZero();
        assertThat(lu.flush()).isZero();
        byte[] onDisk = new byte[65536];
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "r")) {
            f.seek(0x400000);
            f.readFully(onDisk);
        }
        assertThat(MemorySegment.ofArray(onDisk).mismatch(data)).isEqualTo(-1);
        long blocksBefore = allocatedBytes();
        assertThat(lu.io(BlockOp.DISCARD, 0x400000, 65536, 0, null)).isZero();
        assertThat(allocatedBytes()).as("discard punched a hole").isLessThan(blocksBefore);
        assertThat(allZero(read(0x400000, 65536))).isTrue();
        assertThat(Files.size(backing)).as("size kept").isEqualTo(16L << 20);
    }

    @Test
    void shouldReportTheBackingFilesHolesAsTheFileSystemKnowsThem() throws Exception {
        long hole = dev.jdm.abi.blk.BlockExtents.HOLE | dev.jdm.abi.blk.BlockExtents.ZERO;
        assertThat(extents(0, info.size())).as("a sparse backing is one hole").containsExactly(new long[] {info.size(), hole});
        assertThat(lu.write(0x800000, pattern(65536, 3), BlockRequest.FUA)).isZero();
        java.util.List<long[]> runs = extents(0x400000, 0x800000);
        assertThat(runs).hasSize(3);
        assertThat(runs.get(0)[1]).isEqualTo(hole);
        assertThat(runs.get(1)).as("the written range, in whole file-system blocks").satisfies(r -> {
            assertThat(r[1]).isZero();
            assertThat(r[0]).isGreaterThanOrEqualTo(65536);
        });
        assertThat(0x400000 + runs.get(0)[0]).as("data starts at or before the write").isLessThanOrEqualTo(0x800000);
        assertThat(runs.get(2)[1]).isEqualTo(hole);
    }

    private long allocatedBytes() throws IOException {
        Process p = new ProcessBuilder("stat", "-c", "%b %B", backing.toString()).start();
        String[] f = new String(p.getInputStream().readAllBytes()).trim().split(" ");
        return Long.parseLong(f[0]) * Long.parseLong(f[1]);
    }

    @Test
    void shouldRefuseAMissingOrRelativeBackingWithOneLine() throws Exception {
        lu.close();
        lu = null;
        host.modules().unload("filedisk", false, false);
        assertThatThrownBy(() -> host.modules().load(JarContents.read(moduleClasses()), "filedisk", Map.of("backing", "disk.img"), false))
                .isInstanceOf(HostException.class).hasMessageContaining("not an absolute path");
        assertThatThrownBy(() -> host.modules().load(JarContents.read(moduleClasses()), "filedisk",
                Map.of("backing", tmp.resolve("nope.img").toString()), false))
                .isInstanceOf(HostException.class).hasMessageContaining("cannot open").hasMessageContaining("ENOENT");
        assertThatThrownBy(() -> host.modules().load(JarContents.read(moduleClasses()), "filedisk", Map.of("backing", tmp.toString()), false))
                .isInstanceOf(HostException.class).hasMessageContaining("EISDIR");
        assertThat(host.modules().get("filedisk")).isEmpty();
    }

    @Test
    void shouldOpenTheBackingWithODirectByDefault() {
        // the contract's device was loaded without direct=: auto, and this ext4 or tmpfs (Linux 6.6+) accepts O_DIRECT
        assertThat(host.log().since(0)).anyMatch(r -> r.message().contains("backing = " + backing) && r.message().contains("O_DIRECT"));
    }

    /**
     * ramfs has no direct I/O (open with O_DIRECT gives EINVAL, where tmpfs has accepted it since
     * Linux 6.6): direct=auto falls back to the page cache and says so, direct=y refuses to load.
     */
    @Test
    void shouldFallBackToThePageCacheWhereTheBackingRefusesODirect() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.jdm.host.sys.Libc.getuid() == 0, "not root: mounting ramfs needs it; skipping the O_DIRECT fallback test");
        Path ramfs = Files.createDirectories(tmp.resolve("ramfs"));
        assertThat(new ProcessBuilder("mount", "-t", "ramfs", "none", ramfs.toString()).inheritIO().start().waitFor()).isZero();
        try {
            Path img = ramfs.resolve("disk.img");
            try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
                f.setLength(4L << 20);
            }
            lu.close();
            lu = null;
            host.modules().unload("filedisk", false, false);
            assertThatThrownBy(() -> host.modules().load(JarContents.read(moduleClasses()), "filedisk",
                    Map.of("backing", img.toString(), "name", "ramfs0", "direct", "y"), false))
                    .isInstanceOf(HostException.class).hasMessageContaining("EINVAL");
            int since = host.log().since(0).size();
            host.modules().load(JarContents.read(moduleClasses()), "filedisk", Map.of("backing", img.toString(), "name", "ramfs0"), false);
            assertThat(host.log().since(0).subList(since, host.log().since(0).size()))
                    .anyMatch(r -> r.message().contains("refuses O_DIRECT") && r.message().contains("using the page cache"))
                    .noneMatch(r -> r.message().contains("backing = " + img) && r.message().contains("O_DIRECT"));
            try (LuHandle fallback = host.block().open("ramfs0", "test")) {
                MemorySegment data = pattern(8192, 5);
                assertThat(fallback.write(0x100000, data, dev.jdm.abi.blk.BlockRequest.FUA)).isZero();
                assertThat(fallback.flush()).isZero();
                MemorySegment back = Arena.ofAuto().allocate(8192, 4096);
                assertThat(fallback.read(0x100000, back)).isZero();
                assertThat(back.mismatch(data)).isEqualTo(-1);
            }
            byte[] onDisk = Files.readAllBytes(img);
            assertThat(MemorySegment.ofArray(onDisk).asSlice(0x100000, 8192).mismatch(pattern(8192, 5))).isEqualTo(-1);
            host.modules().unload("filedisk", false, false);
        } finally {
            new ProcessBuilder("umount", ramfs.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    void shouldServeReadOnlyWithDirectIo() throws Exception {
        lu.close();
        lu = null;
        host.modules().unload("filedisk", false, false);
        host.modules().load(JarContents.read(moduleClasses()), "filedisk",
                Map.of("backing", backing.toString(), "name", "ro0", "readonly", "y", "direct", "y"), false);
        try (LuHandle ro = host.block().open("ro0", "test")) {
            assertThat(ro.info().has(BlockDevice.READ_ONLY)).isTrue();
            assertThat(ro.write(0x100000, pattern(4096, 1), 0)).isEqualTo(BlockStatus.EROFS);
            assertThat(ro.io(BlockOp.WRITE_ZEROES, 0x100000, 4096, 0, null)).isEqualTo(BlockStatus.EROFS);
            MemorySegment unaligned = Arena.ofAuto().allocate(4096 + 512, 4096).asSlice(512, 4096);
            assertThat(ro.read(0x100000, unaligned)).as("O_DIRECT with an unaligned buffer is bounced").isZero();
            assertThat(allZero(unaligned)).isTrue();
            assertThat(ro.flush()).isZero();
        }
    }
}

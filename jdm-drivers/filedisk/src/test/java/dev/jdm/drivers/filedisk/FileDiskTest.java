package dev.jdm.drivers.filedisk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockOp;
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

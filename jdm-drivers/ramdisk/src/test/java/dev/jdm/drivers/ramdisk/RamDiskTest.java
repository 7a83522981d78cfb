package dev.jdm.drivers.ramdisk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.host.block.BlockDriverContract;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ramdisk passes the block driver contract, and is sparse. */
class RamDiskTest extends BlockDriverContract {
    @Override
    protected String moduleName() {
        return "ramdisk";
    }

    @Override
    protected Map<String, String> freshDeviceParams(Path tmp) {
        return Map.of("size", "64M", "name", "ramt0");
    }

    @Override
    protected String luName() {
        return "ramt0";
    }

    @Test
    void shouldCommitNoMemoryForPagesOnlyRead() throws Exception {
        java.lang.foreign.MemorySegment buf = java.lang.foreign.Arena.ofAuto().allocate(1 << 20, 4096);
        buf.fill((byte) 1);
        long before = rssKiB();
        for (long off = 0; off < info.size(); off += buf.byteSize()) {
            assertThat(lu.read(off, buf)).isZero();
        }
        long grownMiB = (rssKiB() - before) / 1024;
        assertThat(grownMiB).as("RSS growth after reading all 64 MiB of untouched pages").isLessThan(24);
        assertThat(allZero(buf)).isTrue();
    }

    @Test
    void shouldReportPagesNeverWrittenOrZeroedWholeAsHoles() throws Exception {
        long hole = dev.jdm.abi.blk.BlockExtents.HOLE | dev.jdm.abi.blk.BlockExtents.ZERO;
        assertThat(extents(0, info.size())).as("a fresh disk is one hole").containsExactly(new long[] {info.size(), hole});
        assertThat(lu.write(0x100000 + 512, pattern(1024, 1), 0)).isZero(); // part of one page: that page is data
        assertThat(lu.write(0x200000, pattern(8192, 2), 0)).isZero();
        assertThat(extents(0x100000, 0x110000)).containsExactly(new long[] {4096, 0}, new long[] {0xff000, hole},
                new long[] {8192, 0}, new long[] {0xe000, hole});
        assertThat(lu.io(dev.jdm.abi.blk.BlockOp.WRITE_ZEROES, 0x200000, 4096, 0, null)).isZero();
        assertThat(lu.io(dev.jdm.abi.blk.BlockOp.DISCARD, 0x100000, 512, 0, null)).as("part of a page stays data").isZero();
        assertThat(extents(0x100000, 0x110000)).containsExactly(new long[] {4096, 0}, new long[] {0x100000, hole},
                new long[] {4096, 0}, new long[] {0xe000, hole});
    }

    private static long rssKiB() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}

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

    private static long rssKiB() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}

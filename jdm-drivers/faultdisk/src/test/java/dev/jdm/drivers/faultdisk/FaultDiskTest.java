package dev.jdm.drivers.faultdisk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.block.BlockDriverContract;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Without faults the faultdisk is a correct block driver; with them it fails exactly the requests that touch the range. */
class FaultDiskTest extends BlockDriverContract {
    @Override
    protected String moduleName() {
        return "faultdisk";
    }

    @Override
    protected Map<String, String> freshDeviceParams(Path tmp) {
        return Map.of("size", "16M", "name", "faultt0");
    }

    @Override
    protected String luName() {
        return "faultt0";
    }

    @Test
    void shouldFailExactlyTheRequestsThatTouchTheFaultyRange() throws Exception {
        lu.close(); // the contract's fault-free instance makes way for one with faults
        lu = null;
        host.modules().unload("faultdisk", false, false);
        host.modules().load(dev.jdm.symvers.JarContents.read(moduleClasses()), "faultdisk", Map.of("size", "4M", "name", "faultt1",
                "fail_write", "1M+4K", "fail_read", "2M+512", "errno", "28"), false);
        try (var bad = host.block().open("faultt1", "test")) {
            MemorySegment buf = Arena.ofAuto().allocate(4096, 4096);
            buf.fill((byte) 7);
            assertThat(bad.write((1 << 20) - 4096, buf, 0)).as("just before the range").isEqualTo(BlockStatus.OK);
            assertThat(bad.write((1 << 20) - 512, buf, 0)).as("overlapping its start").isEqualTo(BlockStatus.ENOSPC);
            assertThat(bad.write((1 << 20) + 4096, buf, 0)).as("just after").isEqualTo(BlockStatus.OK);
            assertThat(bad.read(1 << 20, buf)).as("reads there still work").isEqualTo(BlockStatus.OK);
            assertThat(allZero(buf)).as("the failed write changed nothing").isTrue();
            assertThat(bad.read(2 << 20, buf.asSlice(0, 512))).isEqualTo(BlockStatus.ENOSPC);
            assertThat(bad.flush()).isEqualTo(BlockStatus.OK);
        }
    }
}

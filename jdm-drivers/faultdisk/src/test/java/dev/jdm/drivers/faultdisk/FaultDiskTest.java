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

    @Test
    void shouldNeverAnswerRequestsInTheStallRangeSoTheHostTimesThemOut() throws Exception {
        lu.close();
        lu = null;
        host.modules().unload("faultdisk", false, false);
        host.sysctl().set("blk.request_timeout_ms", "300");
        host.modules().load(dev.jdm.symvers.JarContents.read(moduleClasses()), "faultdisk", Map.of("size", "4M", "name", "faultt2",
                "stall", "1M+4K"), false);
        try (var stuck = host.block().open("faultt2", "test")) {
            MemorySegment buf = Arena.ofAuto().allocate(4096, 4096);
            assertThat(stuck.read(0x200000, buf)).as("outside the range").isEqualTo(BlockStatus.OK);
            long t0 = System.nanoTime();
            assertThat(stuck.read(1 << 20, buf)).as("inside: the host's timeout answers").isEqualTo(110); // ETIMEDOUT
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(java.time.Duration.ofMillis(300));
            assertThat(stuck.write((1 << 20) + 2048, buf.asSlice(0, 512), 0)).isEqualTo(110);
        }
        assertThat(host.log().since(0)).anyMatch(r -> r.message().contains("did not complete") && r.message().contains("faultdisk"));
        host.modules().unload("faultdisk", false, false); // completes what it held; the late completions are ignored
        assertThat(host.modules().get("faultdisk")).isEmpty();
    }
}

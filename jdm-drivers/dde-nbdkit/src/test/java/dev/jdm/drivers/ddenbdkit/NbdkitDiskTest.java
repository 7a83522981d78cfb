package dev.jdm.drivers.ddenbdkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockExtents;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.HostException;
import dev.jdm.host.block.BlockDriverContract;
import dev.jdm.host.block.LuHandle;
import dev.jdm.symvers.JarContents;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Debian's unmodified nbdkit plugin binaries as jdm block drivers: the memory plugin passes the
 * block driver contract, its holes reach the block layer, and a plugin's errors and capabilities
 * become the LU's. Colocated here, which the test host allows (module.native_colocated=1).
 */
class NbdkitDiskTest extends BlockDriverContract {
    @Override
    protected String moduleName() {
        return "dde-nbdkit";
    }

    @Override
    protected String hostConfig() {
        return "[sysctl]\n\"module.native_colocated\" = \"1\"\n";
    }

    @Override
    protected Map<String, String> freshDeviceParams(Path tmp) {
        return Map.of("plugin", "memory", "config", "size=16M", "name", "nbdt0");
    }

    @Override
    protected String luName() {
        return "nbdt0";
    }

    private void reload(Map<String, String> params) {
        lu.close();
        lu = null;
        host.modules().unload("dde-nbdkit", false, false);
        host.modules().load(JarContents.read(moduleClasses()), "dde-nbdkit", params, false);
    }

    @Test
    void shouldTaintTheHostAndSayWhichPluginServesTheLu() {
        assertThat(host.sysctl().get("kernel.tainted").orElseThrow()).contains("X");
        assertThat(host.log().since(0)).anyMatch(r -> r.message().startsWith("nbdt0: nbdkit plugin memory ") && r.message().contains("16777216 bytes"));
        assertThat(info.has(BlockDevice.FLUSH)).as("memory answers can_flush").isTrue();
        assertThat(info.has(BlockDevice.DISCARD) && info.has(BlockDevice.WRITE_ZEROES)).isTrue();
    }

    @Test
    void shouldReportThePluginsHolesThroughTheBlockLayer() throws Exception {
        long hole = BlockExtents.HOLE | BlockExtents.ZERO;
        assertThat(extents(0, info.size())).as("a fresh memory plugin is one hole").containsExactly(new long[] {info.size(), hole});
        assertThat(lu.write(0x200000, pattern(65536, 1), 0)).isZero();
        List<long[]> runs = extents(0x100000, 0x200000);
        assertThat(runs).hasSizeGreaterThanOrEqualTo(3);
        assertThat(runs.get(0)).containsExactly(0x100000, hole);
        assertThat(runs.get(1)[1]).isZero();
    }

    @Test
    void shouldGiveAPluginsErrnoToTheRequestAndItsTextToTheLog() throws Exception {
        reload(Map.of("plugin", "full", "config", "size=4M", "name", "full0"));
        try (LuHandle full = host.block().open("full0", "test")) {
            MemorySegment buf = Arena.ofAuto().allocate(4096, 4096);
            assertThat(full.write(0x100000, buf, 0)).as("the full plugin's writes").isEqualTo(BlockStatus.ENOSPC);
            assertThat(full.read(0x100000, buf)).isZero();
        }
    }

    @Test
    void shouldRefuseABadPluginOrConfigWithThePluginsOwnWords() {
        lu.close();
        lu = null;
        host.modules().unload("dde-nbdkit", false, false);
        assertThatThrownBy(() -> host.modules().load(JarContents.read(moduleClasses()), "dde-nbdkit", Map.of("plugin", "nosuch"), false))
                .isInstanceOf(HostException.class).hasMessageContaining("nosuch");
        assertThatThrownBy(() -> host.modules().load(JarContents.read(moduleClasses()), "dde-nbdkit",
                Map.of("plugin", "memory", "config", "size=lots"), false))
                .isInstanceOf(HostException.class).hasMessageContaining("size");
        assertThat(host.modules().get("dde-nbdkit")).isEmpty();
        assertThat(host.block().list()).noneMatch(i -> i.name().startsWith("nbdkit"));
    }

    @Test
    void shouldRefuseASecondEnvironmentInTheSameProcess() throws Exception {
        assertThatThrownBy(() -> host.modules().loadAs("dde-nbdkit2", JarContents.read(moduleClasses()), "dde-nbdkit",
                Map.of("plugin", "memory", "config", "size=4M", "name", "nbdt1"), false))
                .isInstanceOf(HostException.class).hasMessageContaining("in use in this process by another instance");
        assertThat(host.modules().get("dde-nbdkit2")).isEmpty();
        assertThat(lu.write(0x100000, pattern(4096, 3), 0)).as("the first instance keeps serving").isZero();
    }
}

package dev.jdm.drivers.virtioblk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.block.BlockDriverContract;
import dev.jdm.host.domain.Domain;
import dev.jdm.hw.emu.RamBacking;
import dev.jdm.hw.emu.virtio.VirtioBlkDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The same driver in an isolated domain: each register access is a frame to the host, which
 * performs it on the grants of the binding; interrupts are calls into the domain; the rings and
 * buffers are memfds the host made and mapped for the device. The block driver contract holds.
 */
class IsolatedVirtioBlkTest extends BlockDriverContract {
    @Override
    protected void beforeLoad() {
        host.board().plug(new VirtioBlkDevice(new RamBacking(64 << 20), "isolated", false));
    }

    @Override
    protected String moduleName() {
        return "virtio-blk";
    }

    @Override
    protected Map<String, String> freshDeviceParams(Path tmp) {
        return Map.of("domain", "isolated:vblk");
    }

    @Override
    protected String luName() {
        return "vda";
    }

    @Test
    void shouldDriveTheDeviceFromItsOwnProcess() throws Exception {
        Domain d = host.domains().find("vblk").orElseThrow();
        assertThat(d.pid()).isNotEqualTo(ProcessHandle.current().pid());
        assertThat(host.board().list()).singleElement().satisfies(i -> assertThat(i.driver()).isEqualTo("virtio-blk"));
        MemorySegment data = pattern(1 << 20, 9);
        assertThat(lu.write(1 << 20, data, 0)).isEqualTo(BlockStatus.OK);
        MemorySegment back = Arena.ofAuto().allocate(1 << 20, 4096);
        assertThat(lu.read(1 << 20, back)).isEqualTo(BlockStatus.OK);
        assertThat(back.mismatch(data)).isEqualTo(-1);
        assertThat(host.board().interruptLatency("0001:00:01.0")).as("interrupts reached the domain's handler").isPresent();
    }

    @Test
    void shouldRebindAfterTheDomainIsKilledAndKeepTheDevicesData() throws Exception {
        MemorySegment data = pattern(256 << 10, 4);
        assertThat(lu.write(4 << 20, data, 0)).isEqualTo(BlockStatus.OK);
        Domain d = host.domains().find("vblk").orElseThrow();
        long pid = d.pid();
        d.kill();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (d.pid() == pid || d.state() != dev.jdm.host.domain.DomainState.RUNNING
                || host.board().list().getFirst().driver().isEmpty()) {
            assertThat(System.nanoTime()).as("restarted and bound again within 60 s").isLessThan(deadline);
            Thread.sleep(20);
        }
        // the data lives on the device, not in the domain: the restarted driver reads it back through the same handle
        MemorySegment back = Arena.ofAuto().allocate(256 << 10, 4096);
        assertThat(lu.read(4 << 20, back)).isEqualTo(BlockStatus.OK);
        assertThat(back.mismatch(data)).isEqualTo(-1);
        assertThat(d.restarts()).isEqualTo(1);
    }
}

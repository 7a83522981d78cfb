package dev.jdm.drivers.virtioblk;

import dev.jdm.host.block.BlockDriverContract;
import dev.jdm.hw.emu.RamBacking;
import dev.jdm.hw.emu.virtio.VirtioBlkDevice;
import java.nio.file.Path;
import java.util.Map;

/** The virtio-blk driver passes the block driver contract against the emulated device, bound at coldplug. */
class VirtioBlkContractTest extends BlockDriverContract {
    @Override
    protected void beforeLoad() {
        host.board().plug(new VirtioBlkDevice(new RamBacking(64 << 20), "contract", false));
    }

    @Override
    protected String moduleName() {
        return "virtio-blk";
    }

    @Override
    protected Map<String, String> freshDeviceParams(Path tmp) {
        return Map.of();
    }

    @Override
    protected String luName() {
        return "vda";
    }
}

package dev.jdm.drivers.virtioblk;

import dev.jdm.hw.emu.RamBacking;
import dev.jdm.hw.emu.virtio.VirtioBlkDevice;

/**
 * The contract again on a device that serves each kick in the thread that rang the doorbell: the
 * driver notifies after letting its lock go, so a kick served at once never stalls other submitters
 * or the interrupt handler.
 */
class InlineKickVirtioBlkContractTest extends VirtioBlkContractTest {
    @Override
    protected void beforeLoad() {
        host.board().plug(new VirtioBlkDevice(new RamBacking(64 << 20), "inline", false, VirtioBlkDevice.DEFAULT_WORKERS, true));
    }
}

package dev.jdm.drivers.virtioblk;

/**
 * The driver's tests again on a device that serves each kick in the thread that wrote the doorbell,
 * as the host's board plugs virtio-blk by default: requests complete in the submitter, and the
 * faults (errors, lost and spurious interrupts, delays, removal, a stuck reset) are met the same way.
 */
class InlineKickVirtioBlkDriverTest extends VirtioBlkDriverTest {
    @Override
    protected boolean inlineKicks() {
        return true;
    }
}

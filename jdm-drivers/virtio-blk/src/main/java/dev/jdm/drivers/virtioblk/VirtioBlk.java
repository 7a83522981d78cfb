package dev.jdm.drivers.virtioblk;

import dev.jdm.abi.DriverModule;
import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.Param;
import dev.jdm.abi.hw.PciId;
import java.util.BitSet;

/**
 * The virtio-blk driver module: binds every modern virtio block function (1af4:1042) the board
 * offers, and gives each an LU named {@code vda}, {@code vdb}, ... in the order they bind. An
 * unplugged device frees its letter for the next one.
 */
@DriverModule(name = "virtio-blk", version = "1.0", license = "GPL", author = "jdm developers",
        description = "virtio 1.x block device over virtio-pci (register level: split virtqueues, MSI-X or INTx)")
@Param(name = "prefix", defaultValue = "vd", description = "LU name prefix; the device's letter follows")
@PciId(vendor = 0x1af4, device = 0x1042)
public final class VirtioBlk implements LoadableModule {
    private final ModuleContext ctx;
    private final String prefix;
    private final BitSet letters = new BitSet();

    public VirtioBlk(ModuleContext ctx) {
        this.ctx = ctx;
        this.prefix = ctx.params().string("prefix");
        if (!prefix.matches("[a-z][a-z0-9_-]{0,29}")) {
            throw new IllegalArgumentException("prefix=" + prefix + " is not lower-case letters, digits, '-' or '_' starting with a letter (at most 30)");
        }
        ctx.hw().register(device -> {
            int letter = take();
            try {
                return new VirtioBlkDisk(ctx, device, prefix + (char) ('a' + letter), () -> give(letter));
            } catch (RuntimeException e) {
                give(letter);
                throw e;
            }
        });
    }

    private synchronized int take() {
        int n = letters.nextClearBit(0);
        if (n >= 26) {
            throw new dev.jdm.abi.hw.HwException(dev.jdm.abi.hw.HwException.EBUSY, "more than 26 virtio-blk devices");
        }
        letters.set(n);
        return n;
    }

    private synchronized void give(int n) {
        letters.clear(n);
    }

    /** Nothing to do: the host removes every binding before this runs. */
    @Override
    public void close() {}
}

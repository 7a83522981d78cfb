package dev.jdm.hw.emu.virtio;

import dev.jdm.hw.emu.Backing;
import dev.jdm.hw.emu.BarSpec;
import dev.jdm.hw.emu.BoardPort;
import dev.jdm.hw.emu.EmulatedDevice;
import dev.jdm.hw.emu.Faults;
import dev.jdm.hw.emu.PciConfigSpace;
import dev.jdm.hw.emu.PciIdentity;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A virtio-blk function over virtio-pci (OASIS virtio 1.2 §4.1, §2.7, §5.2) as the virtio-blk
 * function of these machines shows itself ({@code lspci -vv -s 00:02.0}): {@code 1af4:1042},
 * class {@code 018000}, revision 1, one 64-bit memory BAR 0 of 512 KiB with the common
 * configuration at 0x0, ISR at 0x2000, the block configuration at 0x4000, notifications at
 * 0x6000 (multiplier 4), the MSI-X table at 0x8000 and its PBA at 0x48000; one request queue of up
 * to 256 entries and two MSI-X vectors. It serves requests from a {@link Backing} on worker
 * threads started by {@link #plug}, several at once, completing each as it finishes (virtio 1.2
 * §2.7.8 lets the used ring differ from the available ring's order); the backing is called with
 * the driver's DMA buffers, from several threads at once. docs/hw/virtio-blk.md lists what is
 * emulated and what is not.
 *
 * <p>Register accesses may come from any thread; the device serialises them with its workers on one
 * lock, and calls {@link BoardPort}'s interrupt methods while holding it, so a board must not
 * wait inside them for another thread that is accessing this device.
 */
public final class VirtioBlkDevice implements EmulatedDevice {
    /**
     * The IDs the real function's config header carries, subsystem included: it reads
     * {@code 1af4:1042} there, which also satisfies §4.1.2.1's "subsystem device ID of 0x40 or
     * higher" for a non-transitional device.
     */
    public static final PciIdentity IDENTITY = new PciIdentity(0x1af4, 0x1042, 0x1af4, 0x1042, 0x018000, 1);

    /** MSI-X vectors: one for configuration changes, one for the queue. */
    static final int MSIX_VECTORS = 2;

    /**
     * Workers when none are asked for: the system property {@code jdm.hw.virtio-blk.workers} if it
     * is set to 1 or more, otherwise one per processor and at most 4 (more would only queue on the
     * same cores).
     */
    public static final int DEFAULT_WORKERS = defaultWorkers();

    private static final List<BarSpec> BARS = List.of(new BarSpec(0, BarSpec.Kind.MEMORY64, VirtioPci.BAR0_SIZE));
    private static final int INTA = 1;

    private final Faults faults = new Faults();
    private final String serial;
    private final VirtioPciFunction function;
    /** Serves kicks in the writing thread, when asked for; null otherwise. */
    private final BlkWorker kicks;

    /**
     * A disk over {@code backing} of {@code backing.size() / 512} sectors, answering GET_ID with
     * {@code serial} (ASCII, at most 20 bytes) and refusing writes if {@code readOnly}, served by
     * {@link #DEFAULT_WORKERS} workers, which serve every kick.
     */
    public VirtioBlkDevice(Backing backing, String serial, boolean readOnly) {
        this(backing, serial, readOnly, DEFAULT_WORKERS);
    }

    /**
     * As {@link #VirtioBlkDevice(Backing, String, boolean)}, with {@code workers} requests served
     * at once (1: one at a time, completed in ring order).
     */
    public VirtioBlkDevice(Backing backing, String serial, boolean readOnly, int workers) {
        this(backing, serial, readOnly, workers, false);
    }

    /**
     * As {@link #VirtioBlkDevice(Backing, String, boolean, int)}; with {@code inlineKicks} a write to
     * the notify address also serves the chains available then in the writing thread before it
     * returns (as QEMU serves a kick in the vCPU thread when ioeventfd is off), so the copy runs on
     * the core whose buffer it is. An emulated device's register write is a call, so this is its
     * trap-and-emulate; the host's board plugs virtio-blk this way unless told {@code kicks=workers}.
     * The workers then serve the kicks that come while a delay fault is armed, and what a state
     * change (bus mastering back on) leaves on the ring.
     */
    public VirtioBlkDevice(Backing backing, String serial, boolean readOnly, int workers, boolean inlineKicks) {
        Objects.requireNonNull(backing, "backing");
        if (workers < 1) {
            throw new IllegalArgumentException("virtio-blk \"" + serial + "\": workers must be at least 1, not " + workers);
        }
        this.serial = Objects.requireNonNull(serial, "serial");
        byte[] id = serial.getBytes(StandardCharsets.US_ASCII);
        if (id.length > VirtioBlk.ID_LENGTH || !StandardCharsets.US_ASCII.newEncoder().canEncode(serial)) {
            throw new IllegalArgumentException("virtio-blk serial \"" + serial + "\" must be ASCII of at most "
                    + VirtioBlk.ID_LENGTH + " bytes (GET_ID's string); shorten it");
        }
        String name = "virtio-blk " + serial;
        PciConfigSpace cfg = new PciConfigSpace(IDENTITY, BARS, INTA);
        function = new VirtioPciFunction(cfg, VirtioBlk.features(readOnly), MSIX_VECTORS, faults,
                new BlkDeviceConfig(backing.size() / VirtioBlk.SECTOR),
                fn -> new BlkWorker(fn, backing, readOnly, id, faults, name), workers, inlineKicks, name);
        this.kicks = inlineKicks ? new BlkWorker(function, backing, readOnly, id, faults, name + " kick") : null;
    }

    private static int defaultWorkers() {
        Integer asked = Integer.getInteger("jdm.hw.virtio-blk.workers");
        return asked != null && asked >= 1 ? asked : Math.min(4, Runtime.getRuntime().availableProcessors());
    }

    @Override
    public PciIdentity identity() {
        return IDENTITY;
    }

    @Override
    public List<BarSpec> bars() {
        return BARS;
    }

    @Override
    public int configRead(int offset, int size) {
        return function.configRead(offset, size);
    }

    @Override
    public void configWrite(int offset, int size, int value) {
        function.configWrite(offset, size, value);
    }

    @Override
    public long barRead(int bar, long offset, int size) {
        return function.barRead(bar, offset, size);
    }

    @Override
    public void barWrite(int bar, long offset, int size, long value) {
        int chains = function.barWrite(bar, offset, size, value);
        if (chains > 0) {
            kicks.serve(chains);
        }
    }

    @Override
    public void plug(BoardPort port) {
        function.plug(port);
    }

    @Override
    public void unplug() {
        function.unplug();
    }

    @Override
    public Faults faults() {
        return faults;
    }

    @Override
    public String toString() {
        return "virtio-blk " + serial;
    }
}

package dev.jdm.hw.emu.virtio;

import static dev.jdm.hw.emu.virtio.VirtioPci.*;

import dev.jdm.hw.emu.PciConfigSpace;
import dev.jdm.hw.emu.virtio.TestBoard.Dma;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A register-level virtio-pci driver for tests: finds the structures through the capability
 * list as a real driver does, negotiates features, sets up the queue, and builds requests as
 * descriptor chains in the {@link TestBoard}'s DMA buffers.
 */
final class TestDriver implements AutoCloseable {
    /** One element of a chain: a buffer and whether the device writes it. */
    record Part(long bus, long len, boolean write) {
        static Part out(Dma d) {
            return new Part(d.bus(), d.mem().byteSize(), false);
        }

        static Part in(Dma d) {
            return new Part(d.bus(), d.mem().byteSize(), true);
        }
    }

    /** A used ring element. */
    record Used(int id, int len) {
    }

    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    final VirtioBlkDevice dev;
    final TestBoard board;
    final Map<Integer, Integer> caps = new HashMap<>();
    int msixCap;
    int commonAt;
    int isrAt;
    int deviceAt;
    int notifyAt;
    int notifyMultiplier;

    // the queue, once set up
    int size;
    Dma desc;
    Dma avail;
    Dma used;
    private int availIdx;
    private int lastUsed;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private final Map<Integer, List<Integer>> chains = new HashMap<>();

    TestDriver(VirtioBlkDevice dev, TestBoard board) {
        this.dev = dev;
        this.board = board;
        dev.plug(board);
        discover();
    }

    /** A plugged device brought up the way Linux does: all offered features, MSI-X with config 0 and queue 1. */
    static TestDriver ready(VirtioBlkDevice dev, TestBoard board) {
        TestDriver d = new TestDriver(dev, board);
        d.enable();
        d.msix(true);
        d.unmask(0);
        d.unmask(1);
        int status = d.negotiate(d.deviceFeatures());
        if ((status & STATUS_FEATURES_OK) == 0) {
            throw new AssertionError("device refused its own features");
        }
        d.common(CONFIG_MSIX_VECTOR, 2, 0);
        d.setupQueue(SplitVirtqueue.MAX_SIZE, 1);
        d.driverOk();
        return d;
    }

    // ---- config space

    int cfg(int offset, int size) {
        return dev.configRead(offset, size);
    }

    void cfgWrite(int offset, int size, int value) {
        dev.configWrite(offset, size, value);
    }

    private void discover() {
        for (int p = cfg(PciConfigSpace.CAPABILITIES, 1); p != 0; p = cfg(p + 1, 1)) {
            int id = cfg(p, 1);
            if (id == CAP_ID_VENDOR) {
                caps.putIfAbsent(cfg(p + 3, 1), p);
            } else if (id == CAP_ID_MSIX) {
                msixCap = p;
            }
        }
        commonAt = cfg(caps.get(CAP_COMMON_CFG) + 8, 4);
        isrAt = cfg(caps.get(CAP_ISR_CFG) + 8, 4);
        deviceAt = cfg(caps.get(CAP_DEVICE_CFG) + 8, 4);
        notifyAt = cfg(caps.get(CAP_NOTIFY_CFG) + 8, 4);
        notifyMultiplier = cfg(caps.get(CAP_NOTIFY_CFG) + 16, 4);
    }

    /** Memory decode and bus mastering on. */
    void enable() {
        cfgWrite(PciConfigSpace.COMMAND, 2, cfg(PciConfigSpace.COMMAND, 2) | PciConfigSpace.COMMAND_MEMORY | PciConfigSpace.COMMAND_BUS_MASTER);
    }

    void command(int set, int clear) {
        cfgWrite(PciConfigSpace.COMMAND, 2, (cfg(PciConfigSpace.COMMAND, 2) | set) & ~clear);
    }

    void msix(boolean on) {
        int c = cfg(msixCap + 2, 2);
        cfgWrite(msixCap + 2, 2, on ? c | 0x8000 : c & ~0x8000);
    }

    void functionMask(boolean on) {
        int c = cfg(msixCap + 2, 2);
        cfgWrite(msixCap + 2, 2, on ? c | 0x4000 : c & ~0x4000);
    }

    void mask(int vector) {
        reg(MSIX_TABLE + 16 * vector + 12, 4, 1);
    }

    void unmask(int vector) {
        reg(MSIX_TABLE + 16 * vector + 12, 4, 0);
    }

    long pba() {
        return reg(MSIX_PBA, 8);
    }

    // ---- BAR 0

    long reg(long offset, int size) {
        return dev.barRead(0, offset, size);
    }

    void reg(long offset, int size, long value) {
        dev.barWrite(0, offset, size, value);
    }

    long common(int field, int size) {
        return reg(commonAt + field, size);
    }

    void common(int field, int size, long value) {
        reg(commonAt + field, size, value);
    }

    int status() {
        return (int) common(DEVICE_STATUS, 1);
    }

    void status(int s) {
        common(DEVICE_STATUS, 1, s);
    }

    int isr() {
        return (int) reg(isrAt, 1);
    }

    long deviceConfig(int field, int size) {
        return reg(deviceAt + field, size);
    }

    long deviceFeatures() {
        common(DEVICE_FEATURE_SELECT, 4, 0);
        long lo = common(DEVICE_FEATURE, 4);
        common(DEVICE_FEATURE_SELECT, 4, 1);
        return lo | common(DEVICE_FEATURE, 4) << 32;
    }

    /** §3.1.1 up to FEATURES_OK; returns device_status read back. */
    int negotiate(long features) {
        status(0);
        status(STATUS_ACKNOWLEDGE);
        status(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
        common(DRIVER_FEATURE_SELECT, 4, 0);
        common(DRIVER_FEATURE, 4, features & 0xffffffffL);
        common(DRIVER_FEATURE_SELECT, 4, 1);
        common(DRIVER_FEATURE, 4, features >>> 32);
        status(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
        return status();
    }

    void driverOk() {
        status(status() | STATUS_DRIVER_OK);
    }

    /** Queue 0 with {@code n} entries and MSI-X vector {@code vector}, in fresh zeroed buffers. */
    void setupQueue(int n, int vector) {
        common(QUEUE_SELECT, 2, 0);
        common(QUEUE_SIZE, 2, n);
        size = n;
        desc = board.map(16L * n);
        avail = board.map(6 + 2L * n);
        used = board.map(6 + 8L * n);
        common(QUEUE_DESC, 8, desc.bus());
        common(QUEUE_DRIVER, 4, avail.bus() & 0xffffffffL);
        common(QUEUE_DRIVER + 4, 4, avail.bus() >>> 32);
        common(QUEUE_DEVICE, 8, used.bus());
        common(QUEUE_MSIX_VECTOR, 2, vector);
        common(QUEUE_ENABLE, 2, 1);
        availIdx = lastUsed = 0;
        free.clear();
        chains.clear();
        for (int i = 0; i < n; i++) {
            free.add(i);
        }
    }

    // ---- the queue

    /** Writes a chain into free descriptors and makes it available; returns its head. */
    int add(Part... parts) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            ids.add(free.removeFirst());
        }
        for (int i = 0; i < parts.length; i++) {
            int d = ids.get(i);
            boolean last = i == parts.length - 1;
            descriptor(d, parts[i].bus(), parts[i].len(), (parts[i].write() ? 2 : 0) | (last ? 0 : 1), last ? 0 : ids.get(i + 1));
        }
        int head = ids.getFirst();
        chains.put(head, ids);
        offer(head);
        return head;
    }

    /** Writes descriptor {@code i} as given, for chains a well-behaved driver would not build. */
    void descriptor(int i, long addr, long len, int flags, int next) {
        MemorySegment d = desc.mem().asSlice(16L * i, 16);
        d.set(Le.U64, 0, addr);
        d.set(Le.U32, 8, (int) len);
        d.set(Le.U16, 12, (short) flags);
        d.set(Le.U16, 14, (short) next);
    }

    /** Puts {@code head} into the next available ring entry, without publishing it. */
    void offer(int head) {
        avail.mem().set(Le.U16, 4 + 2L * (availIdx % size), (short) head);
        availIdx = (availIdx + 1) & 0xffff;
    }

    /** Publishes the offered entries (avail idx) and notifies the device. */
    void kick() {
        VarHandle.releaseFence();
        avail.mem().set(Le.U16, 2, (short) availIdx);
        VarHandle.fullFence();
        reg(notifyAt + notifyMultiplier * (int) common(QUEUE_NOTIFY_OFF, 2), 2, 0);
    }

    void availFlags(int flags) {
        avail.mem().set(Le.U16, 0, (short) flags);
    }

    int usedIdx() {
        int idx = used.mem().get(Le.U16, 2) & 0xffff;
        VarHandle.acquireFence();
        return idx;
    }

    /** Waits for {@code n} more used elements and frees their chains. */
    List<Used> awaitUsed(int n) {
        int target = (lastUsed + n) & 0xffff;
        await(() -> ((usedIdx() - lastUsed) & 0xffff) >= n, () -> "used idx " + usedIdx() + ", expected " + target
                + "; device_status 0x" + Integer.toHexString(status()));
        List<Used> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            MemorySegment e = used.mem().asSlice(4 + 8L * ((lastUsed + i) % size), 8);
            Used u = new Used(e.get(Le.U32, 0), e.get(Le.U32, 4));
            out.add(u);
            List<Integer> ids = chains.remove(u.id());
            if (ids != null) {
                free.addAll(ids);
            }
        }
        lastUsed = target;
        // a register access takes the device's lock, so the completion's notification has been sent too
        common(NUM_QUEUES, 2);
        return out;
    }

    /** Nothing more is used within {@code millis}. */
    boolean nothingUsedFor(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            if (usedIdx() != lastUsed) {
                return false;
            }
            LockSupport.parkNanos(100_000);
        }
        return usedIdx() == lastUsed;
    }

    // ---- block requests

    Dma header(int type, long sector) {
        Dma h = board.map(VirtioBlk.HEADER);
        h.mem().set(Le.U32, 0, type);
        h.mem().set(Le.U64, 8, sector);
        return h;
    }

    /** Submits header, {@code data} and a status byte as one chain, waits, and returns the status. */
    int request(int type, long sector, Part... data) {
        Dma status = board.map(1);
        status.mem().set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 0x7f);
        Part[] chain = new Part[data.length + 2];
        chain[0] = Part.out(header(type, sector));
        System.arraycopy(data, 0, chain, 1, data.length);
        chain[chain.length - 1] = Part.in(status);
        add(chain);
        kick();
        awaitUsed(1);
        return status.mem().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0);
    }

    /** A DISCARD or WRITE_ZEROES segment list. */
    Dma segments(long... sectorCountFlags) {
        Dma d = board.map(16L * sectorCountFlags.length / 3);
        for (int i = 0; i < sectorCountFlags.length / 3; i++) {
            d.mem().set(Le.U64, 16L * i, sectorCountFlags[3 * i]);
            d.mem().set(Le.U32, 16L * i + 8, (int) sectorCountFlags[3 * i + 1]);
            d.mem().set(Le.U32, 16L * i + 12, (int) sectorCountFlags[3 * i + 2]);
        }
        return d;
    }

    static void await(BooleanSupplier condition, java.util.function.Supplier<String> what) {
        long end = System.nanoTime() + TIMEOUT_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out: " + what.get());
            }
            LockSupport.parkNanos(50_000);
        }
    }

    @Override
    public void close() {
        dev.unplug();
        board.close();
    }
}

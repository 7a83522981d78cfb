package dev.jdm.hw.emu.virtio;

import dev.jdm.hw.emu.BoardPort;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * One split virtqueue (virtio 1.2 §2.7): the registers the driver programs through the common
 * configuration, and the device's side of the rings, reached only through {@link BoardPort#dma}.
 * The available and used indexes run free and wrap at 65536. Chains may be returned in any order
 * (§2.7.8), so the queue keeps which heads the device holds: a head made available again while
 * held is the driver's error. The owner serialises calls.
 *
 * <pre>
 *   descriptor table  16 bytes each: le64 addr, le32 len, le16 flags, le16 next
 *   available ring    le16 flags, le16 idx, le16 ring[size]            (driver writes)
 *   used ring         le16 flags, le16 idx, {le32 id, le32 len}[size]  (device writes)
 * </pre>
 */
final class SplitVirtqueue {
    static final int MAX_SIZE = 256;
    /** VIRTQ_AVAIL_F_NO_INTERRUPT: without EVENT_IDX, the driver's "no notification needed" (§2.7.7). */
    private static final int AVAIL_F_NO_INTERRUPT = 1;
    private static final int RING_IDX = 2, RING = 4, AVAIL_ENTRY = 2, USED_ENTRY = 8;

    private int size;
    private int msixVector;
    private boolean enabled;
    private long desc;
    private long driver;
    private long device;
    private int nextAvail;
    private int usedIdx;
    /** The heads of the chains taken and not yet used. */
    private final boolean[] held = new boolean[MAX_SIZE];
    private int inFlight;

    SplitVirtqueue() {
        reset();
    }

    /** The state after a device reset: maximum size, no vector, disabled, no addresses. */
    void reset() {
        size = MAX_SIZE;
        msixVector = VirtioPci.NO_VECTOR;
        enabled = false;
        desc = driver = device = 0;
        nextAvail = usedIdx = 0;
        Arrays.fill(held, false);
        inFlight = 0;
    }

    int size() {
        return size;
    }

    /** Sets the size if the queue is not enabled yet and {@code n} is a power of two up to the maximum. */
    void size(int n) {
        if (!enabled && n > 0 && n <= MAX_SIZE && Integer.bitCount(n) == 1) {
            size = n;
        }
    }

    int msixVector() {
        return msixVector;
    }

    void msixVector(int v) {
        msixVector = v;
    }

    boolean enabled() {
        return enabled;
    }

    void enable() {
        enabled = true;
    }

    long desc() {
        return desc;
    }

    long driver() {
        return driver;
    }

    long device() {
        return device;
    }

    /** The descriptor area's address; ignored once the queue is enabled (§4.1.4.3.2: configure, then enable). */
    void desc(long address) {
        if (!enabled) {
            desc = address;
        }
    }

    /** The driver area's (available ring's) address; ignored once the queue is enabled. */
    void driver(long address) {
        if (!enabled) {
            driver = address;
        }
    }

    /** The device area's (used ring's) address; ignored once the queue is enabled. */
    void device(long address) {
        if (!enabled) {
            device = address;
        }
    }

    /** How many chains the driver made available that the device has not taken yet. */
    int available(BoardPort port) throws VirtqueueException {
        int idx = port.dma(driver + RING_IDX, 2).get(Le.U16, 0) & 0xffff;
        // the ring entries and descriptors behind idx are read after it (§2.7.13 has the driver's barrier)
        VarHandle.acquireFence();
        int n = (idx - nextAvail) & 0xffff;
        if (n > size) {
            throw new VirtqueueException("available idx " + idx + " is " + n + " entries ahead of the device's " + nextAvail
                    + ", more than the queue size " + size);
        }
        return n;
    }

    /** How many chains the device has taken and not returned yet. */
    int inFlight() {
        return inFlight;
    }

    /** Takes the next available chain; it is in flight until {@link #putUsed}. */
    DescriptorChain take(BoardPort port) throws VirtqueueException {
        long entry = driver + RING + (long) AVAIL_ENTRY * (nextAvail % size);
        int head = port.dma(entry, 2).get(Le.U16, 0) & 0xffff;
        nextAvail = (nextAvail + 1) & 0xffff;
        if (head < size && held[head]) {
            // a chain is the driver's again only once the used ring has returned it (§2.7.8)
            throw new VirtqueueException("available ring names descriptor " + head + ", whose chain the device has not returned yet");
        }
        DescriptorChain chain = DescriptorChain.walk(port, desc, size, head);
        held[head] = true;
        inFlight++;
        return chain;
    }

    /**
     * Returns chain {@code head} to the driver with {@code len} bytes written, then says whether
     * the driver wants a notification for it (the available ring's NO_INTERRUPT flag clear).
     */
    boolean putUsed(BoardPort port, int head, long len) {
        var e = port.dma(device + RING + (long) USED_ENTRY * (usedIdx % size), USED_ENTRY);
        e.set(Le.U32, 0, head);
        e.set(Le.U32, 4, (int) len);
        // the element is visible before the index that publishes it (§2.7.8.2: len before idx)
        VarHandle.releaseFence();
        usedIdx = (usedIdx + 1) & 0xffff;
        port.dma(device + RING_IDX, 2).set(Le.U16, 0, (short) usedIdx);
        if (held[head]) {
            held[head] = false;
            inFlight--;
        }
        // the index is published before the driver's flags are read, or a notification could be missed
        VarHandle.fullFence();
        int flags = port.dma(driver, 2).get(Le.U16, 0) & 0xffff;
        return (flags & AVAIL_F_NO_INTERRUPT) == 0;
    }
}

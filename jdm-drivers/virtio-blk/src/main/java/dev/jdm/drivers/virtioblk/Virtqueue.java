package dev.jdm.drivers.virtioblk;

import dev.jdm.abi.hw.Dma;
import dev.jdm.abi.hw.DmaBuffer;
import dev.jdm.abi.hw.Mmio;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A split virtqueue (virtio 1.2 §2.7) in one coherent DMA buffer: the descriptor table, the
 * available ring the driver fills and the used ring the device fills. The barriers the spec asks
 * for (§2.7.13: entries before the index that publishes them; the index before the entries it
 * covers) are the device window's {@code wmb()} and {@code rmb()}. Not thread-safe: its owner
 * serialises adds and reaps.
 */
final class Virtqueue implements AutoCloseable {
    static final int F_NEXT = 1, F_WRITE = 2;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int DESC = 16;
    private static final int AVAIL_F_NO_INTERRUPT = 1;

    private final int size;
    private final Mmio barriers;
    private final DmaBuffer ring;
    private final MemorySegment mem;
    private final long availOff;
    private final long usedOff;
    private final int[] nextFree;
    private int freeHead;
    private int freeCount;
    private short availIdx;
    private short lastUsed;

    /** One buffer of a chain: a bus address, a length, and whether the device writes it. */
    record Part(long busAddress, int length, boolean deviceWrites) {}

    /** A chain the device finished: its head and the bytes it wrote. */
    record Used(int head, int written) {}

    Virtqueue(Dma dma, Mmio barriers, int size) {
        if (size < 1 || size > 32768 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("queue size " + size + " is not a power of two up to 32768");
        }
        this.size = size;
        this.barriers = barriers;
        this.availOff = (long) DESC * size;
        this.usedOff = align(availOff + 6 + 2L * size, 4);
        this.ring = dma.coherent(usedOff + 6 + 8L * size);
        this.mem = ring.memory();
        this.nextFree = new int[size];
        for (int i = 0; i < size; i++) {
            nextFree[i] = i + 1;
        }
        this.freeCount = size;
    }

    private static long align(long v, long a) {
        return (v + a - 1) / a * a;
    }

    int size() {
        return size;
    }

    long descAddress() {
        return ring.busAddress();
    }

    long availAddress() {
        return ring.busAddress() + availOff;
    }

    long usedAddress() {
        return ring.busAddress() + usedOff;
    }

    int free() {
        return freeCount;
    }

    /**
     * Writes {@code parts} as one descriptor chain and puts its head on the available ring;
     * returns the head, or -1 if there are not enough free descriptors. The device sees it after
     * {@link #publish()}.
     */
    int add(Part... parts) {
        if (parts.length > freeCount) {
            return -1;
        }
        int head = freeHead;
        int d = head;
        for (int i = 0; i < parts.length; i++) {
            Part p = parts[i];
            long at = (long) DESC * d;
            int next = nextFree[d];
            mem.set(U64, at, p.busAddress());
            mem.set(U32, at + 8, p.length());
            boolean more = i + 1 < parts.length;
            mem.set(U16, at + 12, (short) ((more ? F_NEXT : 0) | (p.deviceWrites() ? F_WRITE : 0)));
            mem.set(U16, at + 14, (short) (more ? next : 0));
            if (more) {
                d = next;
            } else {
                freeHead = next;
            }
        }
        freeCount -= parts.length;
        mem.set(U16, availOff + 4 + 2L * (Short.toUnsignedInt(availIdx) % size), (short) head);
        availIdx++;
        return head;
    }

    /** Makes every added chain visible to the device: the entries, a write barrier, then the index. */
    void publish() {
        barriers.wmb();
        mem.set(U16, availOff + 2, availIdx);
        barriers.mb(); // the index reaches memory before the notify that follows
    }

    /**
     * Asks the device for interrupts on used buffers, or asks it not to send them (the available
     * ring's VIRTQ_AVAIL_F_NO_INTERRUPT, §2.7.7). Only a hint: the device may interrupt anyway.
     * Turning them on is followed by a full barrier, so a caller's next {@link #reap()} sees every
     * buffer the device used without seeing the flag clear: the device publishes its index before
     * it reads the flag, and one side or the other sees the other's write.
     */
    void interrupts(boolean on) {
        mem.set(U16, availOff, (short) (on ? 0 : AVAIL_F_NO_INTERRUPT));
        if (on) {
            barriers.mb();
        }
    }

    /** The next chain the device has finished, or null; its descriptors go back on the free list. */
    Used reap() {
        short usedIdx = mem.get(U16, usedOff + 2);
        if (usedIdx == lastUsed) {
            return null;
        }
        barriers.rmb();
        long elem = usedOff + 4 + 8L * (Short.toUnsignedInt(lastUsed) % size);
        int head = mem.get(U32, elem);
        int written = mem.get(U32, elem + 4);
        lastUsed++;
        if (head < 0 || head >= size) {
            throw new IllegalStateException("the device returned descriptor " + head + " of a queue of " + size);
        }
        recycle(head);
        return new Used(head, written);
    }

    private void recycle(int head) {
        int d = head;
        int n = 1;
        while ((mem.get(U16, (long) DESC * d + 12) & F_NEXT) != 0 && n <= size) {
            d = Short.toUnsignedInt(mem.get(U16, (long) DESC * d + 14));
            n++;
        }
        nextFree[d] = freeHead;
        freeHead = head;
        freeCount += n;
    }

    @Override
    public void close() {
        ring.close();
    }
}

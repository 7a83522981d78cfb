package dev.jdm.hw.emu.virtio;

import dev.jdm.hw.emu.BoardPort;
import dev.jdm.hw.emu.DmaFault;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A board for tests: DMA buffers from a shared arena at fake bus addresses, checked as an IOMMU
 * would (a range must lie inside one mapped buffer), and a record of every MSI-X message and INTx
 * level change. After {@link #seal()} any DMA or interrupt is counted as a violation.
 */
final class TestBoard implements BoardPort, AutoCloseable {
    /** A mapped DMA buffer: its bus address and its memory. */
    record Dma(long bus, MemorySegment mem) {
        long at(long offset) {
            return bus + offset;
        }
    }

    private static final long PAGE = 4096;

    private final Arena arena = Arena.ofShared();
    private final ConcurrentSkipListMap<Long, MemorySegment> mapped = new ConcurrentSkipListMap<>();
    private final List<Integer> msix = new CopyOnWriteArrayList<>();
    private final List<Boolean> intx = new CopyOnWriteArrayList<>();
    private final AtomicInteger dmaCalls = new AtomicInteger();
    private final AtomicInteger dmaFaults = new AtomicInteger();
    private final AtomicInteger violations = new AtomicInteger();
    private long nextBus = 0x10_0000_0000L;
    private volatile boolean sealed;

    /** A zeroed, page-aligned buffer of {@code size} bytes; a page gap after it stays unmapped. */
    synchronized Dma map(long size) {
        long bus = nextBus;
        nextBus += (size + PAGE - 1) / PAGE * PAGE + PAGE;
        MemorySegment mem = arena.allocate(Math.max(size, 1), PAGE).asSlice(0, size);
        mapped.put(bus, mem);
        return new Dma(bus, mem);
    }

    /** A buffer of {@code size} bytes from {@code memory}, which the test may close under the device. */
    synchronized Dma mapIn(Arena memory, long size) {
        long bus = nextBus;
        nextBus += (size + PAGE - 1) / PAGE * PAGE + PAGE;
        MemorySegment mem = memory.allocate(Math.max(size, 1), PAGE).asSlice(0, size);
        mapped.put(bus, mem);
        return new Dma(bus, mem);
    }

    void unmap(Dma d) {
        mapped.remove(d.bus());
    }

    @Override
    public MemorySegment dma(long busAddress, long length) {
        dmaCalls.incrementAndGet();
        if (sealed) {
            violations.incrementAndGet();
        }
        Map.Entry<Long, MemorySegment> e = mapped.floorEntry(busAddress);
        if (e == null || length < 0 || busAddress - e.getKey() + length > e.getValue().byteSize()) {
            dmaFaults.incrementAndGet();
            throw new DmaFault("DMA of " + length + " bytes at bus address 0x" + Long.toHexString(busAddress) + " is outside every mapped buffer");
        }
        return e.getValue().asSlice(busAddress - e.getKey(), length);
    }

    @Override
    public void msix(int vector) {
        if (sealed) {
            violations.incrementAndGet();
        }
        msix.add(vector);
    }

    @Override
    public void intx(boolean asserted) {
        if (sealed) {
            violations.incrementAndGet();
        }
        intx.add(asserted);
    }

    /** The MSI-X messages so far, in order. */
    List<Integer> messages() {
        return List.copyOf(msix);
    }

    /** The INTx level changes so far, in order. */
    List<Boolean> intxChanges() {
        return List.copyOf(intx);
    }

    boolean intxAsserted() {
        return !intx.isEmpty() && intx.getLast();
    }

    int dmaCalls() {
        return dmaCalls.get();
    }

    int dmaFaults() {
        return dmaFaults.get();
    }

    /** From now on the device must not touch the board; returns the count of times it did since. */
    void seal() {
        sealed = true;
    }

    /** The device may use the board again (the driver set it up anew). */
    void unseal() {
        sealed = false;
    }

    int violations() {
        return violations.get();
    }

    @Override
    public void close() {
        arena.close();
    }
}

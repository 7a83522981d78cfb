package dev.jdm.host.hw;

import dev.jdm.hw.emu.DmaFault;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One device's view of memory, as an IOMMU gives it: the buffers its driver mapped, each at a bus
 * address, and nothing else. Bus addresses are never reused and each buffer is followed by an
 * unmapped guard page, so a device that runs past a buffer, or uses a stale address, faults
 * instead of reaching someone else's memory.
 */
final class DmaMap {
    static final long PAGE = 4096;
    /** Above 4 GiB, so a driver that truncates bus addresses to 32 bits is caught at once. */
    private static final long FIRST = 1L << 32;

    private final NavigableMap<Long, MemorySegment> mapped = new ConcurrentSkipListMap<>();
    private final AtomicLong next = new AtomicLong(FIRST);

    /** Maps {@code memory}; returns its bus address (page-aligned). */
    long map(MemorySegment memory) {
        long pages = (memory.byteSize() + PAGE - 1) / PAGE;
        long bus = next.getAndAdd((pages + 1) * PAGE);
        mapped.put(bus, memory);
        return bus;
    }

    /**
     * Maps memory that is not page-aligned (a streaming mapping): its bus address keeps the memory's
     * offset within its page, as an IOMMU maps whole pages.
     */
    long mapAnywhere(MemorySegment memory) {
        long inPage = memory.address() % PAGE;
        long pages = (inPage + memory.byteSize() + PAGE - 1) / PAGE;
        long bus = next.getAndAdd((pages + 1) * PAGE) + inPage;
        mapped.put(bus, memory);
        return bus;
    }

    void unmap(long busAddress) {
        mapped.remove(busAddress);
    }

    /**
     * The mapped bytes at {@code busAddress}, {@code length} of them, all inside one buffer.
     *
     * @throws DmaFault if any byte is outside every mapped buffer
     */
    MemorySegment resolve(long busAddress, long length) {
        Map.Entry<Long, MemorySegment> e = mapped.floorEntry(busAddress);
        if (length < 0 || e == null || busAddress - e.getKey() + length > e.getValue().byteSize()) {
            throw new DmaFault(String.format("DMA at bus address 0x%x, %d bytes, is outside every buffer the driver mapped", busAddress, length));
        }
        return e.getValue().asSlice(busAddress - e.getKey(), length);
    }

    /** How many buffers are mapped. */
    int size() {
        return mapped.size();
    }
}

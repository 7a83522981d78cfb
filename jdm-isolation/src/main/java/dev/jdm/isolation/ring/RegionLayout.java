package dev.jdm.isolation.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The layout of a domain's ring region: a header page, the request ring (host produces, domain
 * consumes), the completion ring (domain produces, host consumes) and the data area of {@code
 * bufferCount} fixed-size buffers, each part page-aligned:
 *
 * <pre>
 *   0  magic "JDMRING1" long    8  version int    12  capacity int    16  slotSize int
 *  20  bufferCount int         24  bufferSize int
 * 4096                          request ring   ({@link RingLayout}, capacity slots)
 * {@link #completionRingOffset}  completion ring (same capacity)
 * {@link #buffersOffset}         buffer[i] at buffersOffset + i * bufferSize
 * </pre>
 *
 * Both sides build this record from the geometry that the host sends on the control channel, never
 * from the header, which only confirms that the mapping is the region they were told about.
 */
public record RegionLayout(int capacity, int bufferCount, int bufferSize) {
    public static final long MAGIC = 0x31474E49524D444AL; // "JDMRING1" little-endian
    public static final int VERSION = 1;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int CAPACITY_OFFSET = 12;
    public static final int SLOT_SIZE_OFFSET = 16;
    public static final int BUFFER_COUNT_OFFSET = 20;
    public static final int BUFFER_SIZE_OFFSET = 24;
    public static final int HEADER_BYTES = 4096;
    public static final int MAX_BUFFER_SIZE = 16 << 20;
    public static final int MAX_BUFFER_COUNT = 1 << 16;

    public RegionLayout {
        RingLayout.checkCapacity(capacity);
        if (bufferCount < 1 || bufferCount > MAX_BUFFER_COUNT) {
            throw new IllegalArgumentException("buffer count must be in [1, " + MAX_BUFFER_COUNT + "], not " + bufferCount);
        }
        if (bufferSize < 64 || bufferSize > MAX_BUFFER_SIZE || bufferSize % 64 != 0) {
            throw new IllegalArgumentException("buffer size must be a multiple of 64 in [64, " + MAX_BUFFER_SIZE + "], not " + bufferSize);
        }
    }

    public long requestRingOffset() {
        return HEADER_BYTES;
    }

    public long completionRingOffset() {
        return page(requestRingOffset() + RingLayout.ringBytes(capacity));
    }

    public long buffersOffset() {
        return page(completionRingOffset() + RingLayout.ringBytes(capacity));
    }

    /** The region's size, a multiple of the page size. */
    public long totalBytes() {
        return page(buffersOffset() + (long) bufferCount * bufferSize);
    }

    private static long page(long n) {
        return (n + 4095) & ~4095L;
    }

    /** Writes the header and the rings' informative fields into a fresh (zeroed) region. */
    public void format(MemorySegment region) {
        region.set(ValueLayout.JAVA_LONG, MAGIC_OFFSET, MAGIC);
        region.set(ValueLayout.JAVA_INT, VERSION_OFFSET, VERSION);
        region.set(ValueLayout.JAVA_INT, CAPACITY_OFFSET, capacity);
        region.set(ValueLayout.JAVA_INT, SLOT_SIZE_OFFSET, RingLayout.SLOT_SIZE);
        region.set(ValueLayout.JAVA_INT, BUFFER_COUNT_OFFSET, bufferCount);
        region.set(ValueLayout.JAVA_INT, BUFFER_SIZE_OFFSET, bufferSize);
        for (long ring : new long[] {requestRingOffset(), completionRingOffset()}) {
            region.set(ValueLayout.JAVA_INT, ring + RingLayout.CAPACITY_OFFSET, capacity);
            region.set(ValueLayout.JAVA_INT, ring + RingLayout.SLOT_SIZE_OFFSET, RingLayout.SLOT_SIZE);
        }
    }

    /** Confirms that a mapped region carries this geometry; names the first field that differs. */
    public void check(MemorySegment region) throws PeerFaultException {
        if (region.byteSize() < totalBytes()) {
            throw new PeerFaultException("region", "size", region.byteSize(), "at least " + totalBytes());
        }
        expect("magic", region.get(ValueLayout.JAVA_LONG, MAGIC_OFFSET), MAGIC);
        expect("version", region.get(ValueLayout.JAVA_INT, VERSION_OFFSET), VERSION);
        expect("capacity", region.get(ValueLayout.JAVA_INT, CAPACITY_OFFSET), capacity);
        expect("slotSize", region.get(ValueLayout.JAVA_INT, SLOT_SIZE_OFFSET), RingLayout.SLOT_SIZE);
        expect("bufferCount", region.get(ValueLayout.JAVA_INT, BUFFER_COUNT_OFFSET), bufferCount);
        expect("bufferSize", region.get(ValueLayout.JAVA_INT, BUFFER_SIZE_OFFSET), bufferSize);
    }

    private static void expect(String field, long found, long expected) throws PeerFaultException {
        if (found != expected) {
            throw new PeerFaultException("region header", field, found, Long.toString(expected));
        }
    }

    /** The request ring's part of the region. */
    public MemorySegment requestRing(MemorySegment region) {
        return region.asSlice(requestRingOffset(), RingLayout.ringBytes(capacity));
    }

    /** The completion ring's part of the region. */
    public MemorySegment completionRing(MemorySegment region) {
        return region.asSlice(completionRingOffset(), RingLayout.ringBytes(capacity));
    }

    /** The data area. */
    public MemorySegment buffers(MemorySegment region) {
        return region.asSlice(buffersOffset(), (long) bufferCount * bufferSize);
    }
}

package dev.jdm.isolation.ring;

import java.lang.foreign.MemorySegment;

/**
 * The data area of a region: {@code count} buffers of {@code size} bytes addressed by index, so a
 * request names its data and the bytes never travel through a socket. Every index and length that
 * came from the peer goes through {@link #slice}, which refuses one out of range.
 */
public final class BufferArea {
    private final MemorySegment area;
    private final int count;
    private final int size;
    private final String where;

    public BufferArea(MemorySegment area, int count, int size, String where) {
        if (area.byteSize() < (long) count * size) {
            throw new IllegalArgumentException(where + ": data area of " + area.byteSize() + " bytes cannot hold " + count + " x " + size);
        }
        this.area = area;
        this.count = count;
        this.size = size;
        this.where = where;
    }

    /** The first {@code length} bytes of buffer {@code index}, after checking both. */
    public MemorySegment slice(int index, int length) throws PeerFaultException {
        check(index, length);
        return area.asSlice((long) index * size, length);
    }

    /** Refuses an index outside [0, count) or a length outside [0, size]. */
    public void check(int index, int length) throws PeerFaultException {
        if (index < 0 || index >= count) {
            throw new PeerFaultException(where, "bufferIndex", index, "in [0, " + count + ")");
        }
        if (length < 0 || length > size) {
            throw new PeerFaultException(where, "length", length, "in [0, " + size + "] (the buffer size)");
        }
    }

    /** Buffers [first, first + count) as one segment; for the host's own use (an index from the peer goes through {@link #slice}). */
    public MemorySegment span(int first, int count) {
        if (first < 0 || count < 1 || first > this.count - count) {
            throw new IllegalArgumentException(where + ": buffers " + first + "+" + count + " are not in [0, " + this.count + ")");
        }
        return area.asSlice((long) first * size, (long) count * size);
    }

    /** Where buffer 0 starts in this process's address space: a buffer's address is this plus index times size. */
    public long address() {
        return area.address();
    }

    public int count() {
        return count;
    }

    public int size() {
        return size;
    }
}

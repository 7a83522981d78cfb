package dev.jdm.hw.emu;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A {@link Backing} in memory: one zeroed segment of its own shared arena, so a device's worker and
 * whoever checks the contents may use it from different threads. Discarded ranges read as zeros.
 * {@link #close()} frees the memory; calls after it fail with an {@link IOException}, as a file
 * backing's would once its file is closed.
 */
public final class RamBacking implements Backing {
    private static final long ALIGNMENT = 4096;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment bytes;
    private volatile boolean closed;

    /** A zeroed backing of {@code size} bytes. */
    public RamBacking(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("a RAM backing's size must be >= 0 bytes, not " + size);
        }
        bytes = arena.allocate(size, ALIGNMENT);
    }

    @Override
    public long size() {
        return bytes.byteSize();
    }

    @Override
    public void read(long offset, MemorySegment dst) throws IOException {
        MemorySegment.copy(range(offset, dst.byteSize()), 0, dst, 0, dst.byteSize());
    }

    @Override
    public void write(long offset, MemorySegment src) throws IOException {
        MemorySegment.copy(src, 0, range(offset, src.byteSize()), 0, src.byteSize());
    }

    @Override
    public void flush() throws IOException {
        range(0, 0);
    }

    @Override
    public void discard(long offset, long length) throws IOException {
        range(offset, length).fill((byte) 0);
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        range(offset, length).fill((byte) 0);
    }

    /** A read-only view of the whole contents, valid until {@link #close()}. */
    public MemorySegment contents() {
        return bytes.asReadOnly();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    private MemorySegment range(long offset, long length) throws IOException {
        if (closed) {
            throw new IOException("RAM backing of " + bytes.byteSize() + " bytes is closed");
        }
        if (offset < 0 || length < 0 || offset > bytes.byteSize() - length) {
            throw new IndexOutOfBoundsException("range of " + length + " bytes at " + offset
                    + " is outside the RAM backing of " + bytes.byteSize() + " bytes; the device checks ranges before it calls");
        }
        return bytes.asSlice(offset, length);
    }
}

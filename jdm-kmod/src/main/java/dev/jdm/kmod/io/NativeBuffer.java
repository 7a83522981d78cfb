package dev.jdm.kmod.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A growable off-heap buffer owned by one thread, reused from one module file to the next. */
final class NativeBuffer implements AutoCloseable {
    private Arena arena;
    private MemorySegment segment;

    NativeBuffer(long initialSize) {
        arena = Arena.ofConfined();
        segment = arena.allocate(initialSize, 8);
    }

    MemorySegment segment() {
        return segment;
    }

    /** At least {@code size} bytes from now on, the first {@code keep} kept. */
    void ensure(long size, long keep) {
        if (segment.byteSize() < size) {
            grow(size, keep);
        }
    }

    void grow(long size, long keep) {
        Arena bigger = Arena.ofConfined();
        MemorySegment s = bigger.allocate(size, 8);
        s.copyFrom(segment.asSlice(0, keep));
        arena.close();
        arena = bigger;
        segment = s;
    }

    @Override
    public void close() {
        arena.close();
    }
}

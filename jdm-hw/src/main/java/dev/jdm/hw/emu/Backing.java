package dev.jdm.hw.emu;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * The storage behind an emulated disk: a granted file or RAM. Offsets and lengths are in bytes;
 * a device checks them against {@link #size()} before it calls.
 */
public interface Backing extends AutoCloseable {
    long size();

    /** Reads {@code dst.byteSize()} bytes at {@code offset} into {@code dst}. */
    void read(long offset, MemorySegment dst) throws IOException;

    /** Writes all of {@code src} at {@code offset}. */
    void write(long offset, MemorySegment src) throws IOException;

    /** Makes earlier writes durable. */
    void flush() throws IOException;

    /** Drops the range (it may then read as anything; file backings punch a hole). */
    void discard(long offset, long length) throws IOException;

    /** Makes the range read as zeros. */
    void writeZeroes(long offset, long length) throws IOException;

    @Override
    void close() throws IOException;
}

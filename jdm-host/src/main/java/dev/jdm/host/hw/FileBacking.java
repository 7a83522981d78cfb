package dev.jdm.host.hw;

import dev.jdm.abi.grant.GrantException;
import dev.jdm.abi.grant.GrantedFile;
import dev.jdm.hw.emu.Backing;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An emulated disk's storage in a file the host opened (a regular file or a block device). Discard
 * punches a hole; write-zeroes punches one too where the file system can, and writes zeroes where
 * it cannot (a block device).
 */
final class FileBacking implements Backing {
    private static final long ZERO_CHUNK = 1 << 20;
    private final GrantedFile file;

    FileBacking(GrantedFile file) {
        this.file = file;
    }

    String path() {
        return file.path();
    }

    @Override
    public long size() {
        return file.size();
    }

    @Override
    public void read(long offset, MemorySegment dst) throws IOException {
        try {
            file.pread(dst, offset);
        } catch (GrantException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void write(long offset, MemorySegment src) throws IOException {
        try {
            file.pwrite(src, offset);
        } catch (GrantException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void flush() throws IOException {
        try {
            file.fdatasync();
        } catch (GrantException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void discard(long offset, long length) throws IOException {
        try {
            file.punchHole(offset, length); // where it cannot, the data stays: a discard may leave anything
        } catch (GrantException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        try {
            if (!file.blockDevice() && file.punchHole(offset, length)) {
                return;
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment zeroes = arena.allocate(Math.min(length, ZERO_CHUNK), 4096);
                for (long done = 0; done < length; done += zeroes.byteSize()) {
                    file.pwrite(zeroes.asSlice(0, Math.min(zeroes.byteSize(), length - done)), offset + done);
                }
            }
        } catch (GrantException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        file.close();
    }
}

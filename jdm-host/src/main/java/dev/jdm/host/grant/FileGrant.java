package dev.jdm.host.grant;

import dev.jdm.abi.grant.GrantException;
import dev.jdm.abi.grant.GrantedFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file or block device opened by the host for a module. Native, suitably aligned segments go
 * straight to the system call; heap segments, and under O_DIRECT misaligned ones, go through a
 * page-aligned bounce buffer.
 */
final class FileGrant implements GrantedFile {
    /** O_DIRECT: buffer address alignment (safe for every device) and offset/length alignment. */
    static final int DIRECT_MEMORY_ALIGN = 4096;
    static final int DIRECT_IO_ALIGN = 512;
    private static final int CLOSED = -1;

    private final String path;
    private final boolean readOnly;
    private final boolean direct;
    private final boolean blockDevice;
    private final AtomicInteger fd;

    FileGrant(String path, int fd, boolean readOnly, boolean direct, boolean blockDevice) {
        this.path = path;
        this.fd = new AtomicInteger(fd);
        this.readOnly = readOnly;
        this.direct = direct;
        this.blockDevice = blockDevice;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public boolean direct() {
        return direct;
    }

    @Override
    public boolean blockDevice() {
        return blockDevice;
    }

    @Override
    public int descriptor() {
        return fd();
    }

    private int fd() {
        int f = fd.get();
        if (f == CLOSED) {
            throw new GrantException(path + ": used after close", 9);
        }
        return f;
    }

    @Override
    public long size() {
        long r = FileIo.sizeOf(fd());
        check(r, "size");
        return r;
    }

    @Override
    public void pread(MemorySegment dst, long offset) {
        checkDirect(offset, dst.byteSize(), "pread");
        if (needsBounce(dst)) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment b = a.allocate(dst.byteSize(), DIRECT_MEMORY_ALIGN);
                readFully(b, offset);
                dst.copyFrom(b);
            }
        } else {
            readFully(dst, offset);
        }
    }

    private void readFully(MemorySegment buf, long offset) {
        long done = 0;
        long n = buf.byteSize();
        while (done < n) {
            long r = FileIo.pread(fd(), buf.asSlice(done), offset + done);
            check(r, "pread at " + (offset + done));
            if (r == 0) {
                buf.asSlice(done).fill((byte) 0); // past the end reads as zeroes
                return;
            }
            done += r;
        }
    }

    @Override
    public void pwrite(MemorySegment src, long offset) {
        if (readOnly) {
            throw new GrantException(path + ": granted read-only", 30);
        }
        checkDirect(offset, src.byteSize(), "pwrite");
        if (needsBounce(src)) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment b = a.allocate(src.byteSize(), DIRECT_MEMORY_ALIGN);
                b.copyFrom(src);
                writeFully(b, offset);
            }
        } else {
            writeFully(src, offset);
        }
    }

    private void writeFully(MemorySegment buf, long offset) {
        long done = 0;
        long n = buf.byteSize();
        while (done < n) {
            long r = FileIo.pwrite(fd(), buf.asSlice(done), offset + done);
            check(r, "pwrite at " + (offset + done));
            if (r == 0) {
                throw new GrantException(path + ": pwrite at " + (offset + done) + " wrote nothing", 28);
            }
            done += r;
        }
    }

    private boolean needsBounce(MemorySegment s) {
        return !s.isNative() || (direct && s.address() % DIRECT_MEMORY_ALIGN != 0);
    }

    private void checkDirect(long offset, long length, String what) {
        if (direct && (offset % DIRECT_IO_ALIGN != 0 || length % DIRECT_IO_ALIGN != 0)) {
            throw new GrantException(path + ": " + what + " at " + offset + "+" + length + " is not " + DIRECT_IO_ALIGN
                    + "-byte aligned, which O_DIRECT needs", 22);
        }
    }

    @Override
    public void fsync() {
        check(FileIo.fsync(fd(), false), "fsync");
    }

    @Override
    public void fdatasync() {
        check(FileIo.fsync(fd(), true), "fdatasync");
    }

    @Override
    public boolean punchHole(long offset, long length) {
        if (readOnly) {
            throw new GrantException(path + ": granted read-only", 30);
        }
        int r = FileIo.fallocate(fd(), FileIo.FALLOC_FL_PUNCH_HOLE | FileIo.FALLOC_FL_KEEP_SIZE, offset, length);
        if (r == -95) {
            return false; // EOPNOTSUPP: the file system (or device) cannot
        }
        check(r, "fallocate(PUNCH_HOLE) at " + offset + "+" + length);
        return true;
    }

    @Override
    public long nextData(long offset) {
        return seek(offset, FileIo.SEEK_DATA, -1);
    }

    @Override
    public long nextHole(long offset) {
        return seek(offset, FileIo.SEEK_HOLE, size());
    }

    /** SEEK_DATA or SEEK_HOLE; ENXIO (at or past the end) gives {@code atEnd}, EINVAL (no hole tracking) the offset itself for data. */
    private long seek(long offset, int whence, long atEnd) {
        long r = FileIo.lseek(fd(), offset, whence);
        if (r == -FileIo.ENXIO) {
            return atEnd;
        }
        if (r == -22) {
            return whence == FileIo.SEEK_DATA ? offset : size(); // a file system without SEEK_DATA: all data
        }
        check(r, (whence == FileIo.SEEK_DATA ? "lseek(SEEK_DATA)" : "lseek(SEEK_HOLE)") + " at " + offset);
        return r;
    }

    private void check(long r, String what) {
        if (r < 0) {
            throw new GrantException(path + ": " + what + " failed: " + FileIo.name((int) -r), (int) -r);
        }
    }

    @Override
    public void close() {
        int f = fd.getAndSet(CLOSED);
        if (f != CLOSED) {
            FileIo.close(f);
        }
    }

    boolean isOpen() {
        return fd.get() != CLOSED;
    }
}

package dev.jdm.abi.grant;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;
import java.lang.foreign.MemorySegment;

/**
 * A file or block device the host opened on a module's behalf. Calls block the calling thread;
 * errors throw {@link GrantException} naming the file and the errno.
 */
@Provided
public interface GrantedFile extends AutoCloseable {
    /** The path, for messages. */
    String path();

    /** Whether it was opened read-only. */
    boolean readOnly();

    /** Whether it was opened with O_DIRECT. */
    boolean direct();

    /** Whether it is a block device (else a regular file). */
    boolean blockDevice();

    /** Size in bytes now. */
    long size();

    /** Reads {@code dst.byteSize()} bytes at {@code offset}; bytes past the end read as zero. */
    void pread(MemorySegment dst, long offset);

    /** Writes all of {@code src} at {@code offset}. */
    void pwrite(MemorySegment src, long offset);

    /** fsync(2): data and metadata durable. */
    void fsync();

    /** fdatasync(2): data durable. */
    void fdatasync();

    /**
     * Deallocates the range, keeping the size (fallocate PUNCH_HOLE|KEEP_SIZE); it reads as zeroes.
     *
     * @return false if the file system cannot punch holes (EOPNOTSUPP)
     */
    boolean punchHole(long offset, long length);

    /**
     * lseek(2) SEEK_DATA: the first offset at or after {@code offset} that holds data, or -1 if
     * none does before the end. A file system that does not track holes reports all of it as data.
     */
    @Since("JDM_1.2")
    long nextData(long offset);

    /**
     * lseek(2) SEEK_HOLE: the first offset at or after {@code offset} in a hole; the end of the
     * file counts as one.
     */
    @Since("JDM_1.2")
    long nextHole(long offset);

    /**
     * The open file descriptor behind the grant, for a module's native code (a C library that takes
     * a descriptor, as an nbdkit plugin's {@code fd=} parameter does). It stays valid until
     * {@link #close}; the native code must not close it. Java code has no use for it.
     *
     * @throws GrantException EBADF after close
     */
    @Since("JDM_1.2")
    int descriptor();

    /** Closes the handle; idempotent. */
    @Override
    void close();
}

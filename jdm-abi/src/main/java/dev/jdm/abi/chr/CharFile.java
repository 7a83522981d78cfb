package dev.jdm.abi.chr;

import dev.jdm.abi.Implemented;
import dev.jdm.abi.Since;
import java.lang.foreign.MemorySegment;

/**
 * An open file: its state and its operations. Results are Linux's: a count, or a negated errno
 * ({@code -CharStatus.EAGAIN}). Operations never block (see the package's guarantees); the host
 * calls one operation of a file at a time.
 */
@Implemented
@Since("JDM_1.2")
public interface CharFile {
    /** Readable without waiting. */
    int POLLIN = 1;
    /** Writable without waiting. */
    int POLLOUT = 4;
    /** An error is pending. */
    int POLLERR = 8;
    /** The other side hung up: reads return what is left, then 0. */
    int POLLHUP = 16;
    /** Seek from the start. */
    int SEEK_SET = 0;
    /** Seek from the current position. */
    int SEEK_CUR = 1;
    /** Seek from the end. */
    int SEEK_END = 2;

    /**
     * Reads into {@code dst} (at most its size): bytes read, 0 at end of file, or a negated errno
     * ({@code -EAGAIN} when nothing is there yet). {@code dst} is valid only during the call.
     */
    default int read(MemorySegment dst) {
        return -CharStatus.EINVAL;
    }

    /** Writes from {@code src}: bytes taken (at least 1 unless {@code src} is empty), or a negated errno. */
    default int write(MemorySegment src) {
        return -CharStatus.EINVAL;
    }

    /** What can be done now without waiting: {@link #POLLIN}, {@link #POLLOUT}, ... or'ed. */
    default int poll() {
        return POLLIN | POLLOUT;
    }

    /** Moves the file position: the new position, or a negated errno ({@code -ESPIPE} for a stream). */
    default long seek(long offset, int whence) {
        return -CharStatus.ESPIPE;
    }

    /**
     * A legacy ioctl: {@code cmd} in the kernel's encoding ({@link Ioctl}), {@code arg} its
     * {@link Ioctl#size} bytes (copied in if the direction includes {@link Ioctl#WRITE}, copied back
     * if it includes {@link Ioctl#READ}). Returns a non-negative value or a negated errno
     * ({@code -ENOTTY} for a command the driver does not know).
     */
    default long ioctl(int cmd, MemorySegment arg) {
        return -CharStatus.ENOTTY;
    }

    /** The file is closed (or its task went away): drop its state. Called once; must not throw. */
    default void release() {}
}

package dev.jdm.abi.chr;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/** The errno numbers character drivers return (negated) and raise; Linux's numbers. */
@Provided
@Since("JDM_1.2")
public final class CharStatus {
    /** Operation not permitted. */
    public static final int EPERM = 1;
    /** No such device or address. */
    public static final int ENXIO = 6;
    /** I/O error. */
    public static final int EIO = 5;
    /** Bad file descriptor (the wrong direction for the open). */
    public static final int EBADF = 9;
    /** Try again: nothing to read or no room to write yet. */
    public static final int EAGAIN = 11;
    /** Out of memory. */
    public static final int ENOMEM = 12;
    /** Busy (held exclusively). */
    public static final int EBUSY = 16;
    /** Invalid argument. */
    public static final int EINVAL = 22;
    /** Not a typewriter: an ioctl the driver does not know. */
    public static final int ENOTTY = 25;
    /** No space left on device. */
    public static final int ENOSPC = 28;
    /** Illegal seek. */
    public static final int ESPIPE = 29;
    /** Operation not supported. */
    public static final int EOPNOTSUPP = 95;

    private CharStatus() {}
}

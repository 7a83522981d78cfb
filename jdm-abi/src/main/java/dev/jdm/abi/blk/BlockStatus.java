package dev.jdm.abi.blk;

import dev.jdm.abi.Provided;

/** Completion statuses: 0, or a Linux errno number (as NBD carries them on the wire). */
@Provided
public final class BlockStatus {
    /** Success. */
    public static final int OK = 0;
    /** Operation not permitted (the boot-area guard). */
    public static final int EPERM = 1;
    /** I/O error. */
    public static final int EIO = 5;
    /** Out of memory. */
    public static final int ENOMEM = 12;
    /** Invalid request (alignment, range). */
    public static final int EINVAL = 22;
    /** No space left on the backing store. */
    public static final int ENOSPC = 28;
    /** Read-only LU. */
    public static final int EROFS = 30;
    /** Operation not supported (for example a fast zero that would be slow). */
    public static final int EOPNOTSUPP = 95;
    /** The device went away. */
    public static final int ENODEV = 19;

    private BlockStatus() {}

    /** The errno's name, e.g. {@code "EPERM"}, or {@code "errno N"}. */
    public static String name(int status) {
        return switch (status) {
            case OK -> "OK";
            case EPERM -> "EPERM";
            case EIO -> "EIO";
            case ENOMEM -> "ENOMEM";
            case EINVAL -> "EINVAL";
            case ENOSPC -> "ENOSPC";
            case EROFS -> "EROFS";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case ENODEV -> "ENODEV";
            default -> "errno " + status;
        };
    }
}

package dev.jdm.abi.hw;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/** A hardware access or binding refused, with its errno and one line naming what was wrong. */
@Provided
@Since("JDM_1.2")
public final class HwException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The errnos this layer uses. */
    public static final int EPERM = 1, ENOENT = 2, EIO = 5, ENXIO = 6, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16,
            ENODEV = 19, EINVAL = 22, EPIPE = 32, EPROTO = 71, EOVERFLOW = 75, EOPNOTSUPP = 95, ETIMEDOUT = 110;

    private final int errno;

    public HwException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}

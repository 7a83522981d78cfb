package dev.jdm.sweep;

/**
 * An error from a device or from the sweeper: an errno name ({@code EIO}, {@code ENOENT},
 * {@code EBUSY}, {@code EINVAL}, {@code EROFS}, {@code EPERM}, {@code EOPNOTSUPP}, ...) and one line
 * saying what was wrong, naming the device, offset or file it concerns.
 */
public class SweepException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String errno;

    public SweepException(String errno, String message) {
        super(message);
        this.errno = errno;
    }

    public SweepException(String errno, String message, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    /** The errno name, as Linux spells it. */
    public String errno() {
        return errno;
    }
}

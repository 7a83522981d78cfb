package dev.jdm.host;

/**
 * An error the host reports to a task: an errno-like code and one line saying what was wrong and
 * what to do. This is what the call gate sends back and the CLI prints.
 */
public class HostException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Error classes, named as the Linux errno a kernel would return. */
    public enum Code { EPERM, ENOENT, EEXIST, EBUSY, EINVAL, ENOEXEC, ETIMEDOUT, ELOOP, ENOMEM, EPROTO, EIO, ENOSYS, EACCES, ENOSPC }

    private final Code code;

    public HostException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public HostException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The error class. */
    public Code code() {
        return code;
    }
}

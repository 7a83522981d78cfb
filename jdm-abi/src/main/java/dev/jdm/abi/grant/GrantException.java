package dev.jdm.abi.grant;

import dev.jdm.abi.Provided;

/** A grant was refused or a granted resource failed; the message names it and the errno. */
@Provided
public final class GrantException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    /** Creates the exception with a Linux errno number (e.g. 5 for EIO) and one line naming the resource. */
    public GrantException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The errno number, for a block status or a log line. */
    public int errno() {
        return errno;
    }
}

package dev.jdm.abi.chr;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/**
 * A refused open or a typed call's error: an errno ({@link CharStatus}) and one line naming what
 * was wrong. A typed call may raise only the errnos its method declares with {@link Raises}.
 */
@Provided
@Since("JDM_1.2")
public final class CharException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    /** The exception for errno number {@code errno} (positive, e.g. {@link CharStatus#EINVAL}). */
    public CharException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    /** The errno number. */
    public int errno() {
        return errno;
    }
}

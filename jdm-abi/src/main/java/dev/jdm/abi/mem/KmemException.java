package dev.jdm.abi.mem;

import dev.jdm.abi.Provided;

/** A misuse of {@link Kmem}: bad size, double free, foreign segment, or memory limit reached. */
@Provided
public final class KmemException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming the segment and the problem. */
    public KmemException(String message) {
        super(message);
    }
}

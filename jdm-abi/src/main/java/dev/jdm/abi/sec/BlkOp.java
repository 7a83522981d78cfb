package dev.jdm.abi.sec;

import dev.jdm.abi.Provided;

/** Block I/O operations. */
@Provided
public enum BlkOp {
    /** Read. */
    READ,
    /** Write. */
    WRITE,
    /** Flush the write cache. */
    FLUSH,
    /** Discard (trim). */
    DISCARD,
    /** Write zeroes. */
    WRITE_ZEROES
}

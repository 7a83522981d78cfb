package dev.jdm.abi.sec;

import dev.jdm.abi.Provided;

/** Block or character device. */
@Provided
public enum DeviceKind {
    /** A block device (an LU or partition). */
    BLOCK,
    /** A character device. */
    CHAR
}

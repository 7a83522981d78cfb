package dev.jdm.host.export;

/**
 * How an exported I/O ended, as the errno a kernel block layer would report. Export protocols map
 * these to their own codes (NBD section "Error values" names the same set).
 */
public enum IoStatus {
    /** Done. */
    OK,
    /** Not permitted: a read-only export, a refused {@code blk_io} check, a guarded area. */
    EPERM,
    /** The device failed. */
    EIO,
    /** No memory to carry out the request. */
    ENOMEM,
    /** A malformed request: out of range, misaligned, a flag that does not apply. */
    EINVAL,
    /** No space left: a write beyond what the device can hold. */
    ENOSPC,
    /** A length beyond what can be answered in one reply. */
    EOVERFLOW,
    /** Not supported, e.g. a fast zero the device cannot do quickly. */
    ENOTSUP,
    /** The device is going away. */
    ESHUTDOWN
}

package dev.jdm.abi.grant;

import dev.jdm.abi.Provided;

/** The grants of one module. Everything granted is closed when the module unloads. */
@Provided
public interface Grants {
    /** Open flag: read-only (the default is read-write). */
    int READ_ONLY = 1;
    /** Open flag: bypass the page cache (O_DIRECT); buffers and offsets must then be aligned, or the host bounces them. */
    int DIRECT = 2;

    /**
     * Opens the file or block device named by the module parameter {@code param} (its value is an
     * absolute path).
     *
     * @throws GrantException naming the parameter and the path if it is unset, not a regular file or
     *     block device, or cannot be opened with {@code flags}
     */
    GrantedFile file(String param, int flags);
}

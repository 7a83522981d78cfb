package dev.jdm.abi.grant;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

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

    /**
     * Opens a file at an absolute path the module chose itself (a plugin it found in a directory, a
     * file it derived from its parameters). Unlike {@link #file}, no load parameter names the path,
     * so whoever loaded the module did not choose it: it is granted only where the host's grant
     * policy (a {@code [[grant]]} rule of the host configuration, for this module or its domain)
     * covers the file's real path with the access asked for. Symbolic links are resolved first,
     * so a link cannot lead out of a granted directory.
     *
     * @throws GrantException EACCES naming the path and the rule that would grant it if no rule
     *     does; otherwise as {@link #file}
     */
    @Since("JDM_1.2")
    GrantedFile fileAt(String path, int flags);

    /**
     * Opens the character device, FIFO or regular file named by the module parameter {@code param}
     * (an absolute path) read-only, and reads it as a stream on the host's thread, handing what
     * arrives to {@code receiver} until it ends or the stream is closed: an input node, for one.
     *
     * @throws GrantException naming the parameter and the path if it is unset, of another type or
     *     cannot be opened; EOPNOTSUPP where the host does not grant streams
     */
    @Since("JDM_1.2")
    default GrantedStream stream(String param, StreamReceiver receiver) {
        throw new GrantException("grant " + param + ": streams are not granted here", 95);
    }
}

package dev.jdm.host.grant;

import dev.jdm.abi.grant.GrantedFile;

/**
 * Granted files as descriptors, for a module that runs in another process: the host opens the file
 * through the module's {@link ModuleGrants} (its checks, its log line, its record) and passes the
 * descriptor; the other process wraps what it received in the same {@link GrantedFile} code.
 */
public final class GrantDescriptors {
    private GrantDescriptors() {}

    /** The descriptor of a file this host granted; it stays the grant's (send it, do not close it). */
    public static int descriptor(GrantedFile file) {
        if (!(file instanceof FileGrant g)) {
            throw new IllegalArgumentException(file.path() + ": not a file this host granted");
        }
        return g.descriptor();
    }

    /** A granted file over a descriptor received from the host; closing it closes {@code fd}. */
    public static GrantedFile adopt(String path, int fd, boolean readOnly, boolean direct, boolean blockDevice) {
        return new FileGrant(path, fd, readOnly, direct, blockDevice);
    }
}

package dev.jdm.host.grant;

import dev.jdm.abi.grant.GrantException;
import dev.jdm.abi.grant.GrantedFile;
import dev.jdm.abi.grant.GrantedStream;
import dev.jdm.abi.grant.Grants;
import dev.jdm.abi.grant.StreamReceiver;
import java.util.function.Consumer;

/**
 * Granted files and streams as descriptors, for a module that runs in another process: the host opens the file
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

    /**
     * The stream grant {@code param} names, opened through the module's grants (their checks, log
     * line and record) but not read here: its descriptor goes to the module's process, which
     * reads it ({@link #adoptStream}). Closing it closes the host's copy.
     */
    public static GrantedStream streamForDescriptor(Grants grants, String param) {
        if (!(grants instanceof ModuleGrants g)) {
            throw new IllegalArgumentException(param + ": not a module's grants on this host");
        }
        return g.openStream(param, null);
    }

    /** The descriptor of a stream from {@link #streamForDescriptor}; it stays the grant's. */
    public static int descriptor(GrantedStream stream) {
        if (!(stream instanceof StreamGrant g)) {
            throw new IllegalArgumentException(stream.path() + ": not a stream this host granted");
        }
        return g.descriptor();
    }

    /**
     * A granted stream over a descriptor received from the host, read on a thread of this process
     * and handed to {@code receiver} as on the host; closing it stops the reader and closes {@code fd}.
     *
     * @throws GrantException if no eventfd can be had to stop the reader with ({@code fd} is closed)
     */
    public static GrantedStream adoptStream(String module, String path, int fd, StreamReceiver receiver, Consumer<String> warn) {
        int wake = StreamIo.eventFd();
        if (wake < 0) {
            FileIo.close(fd);
            throw new GrantException(module + ": " + path + ": no eventfd: " + FileIo.name(-wake), -wake);
        }
        StreamGrant g = new StreamGrant(module, path, fd, wake, receiver, warn);
        g.start();
        return g;
    }

    /** A granted file over a descriptor received from the host; closing it closes {@code fd}. */
    public static GrantedFile adopt(String path, int fd, boolean readOnly, boolean direct, boolean blockDevice) {
        return new FileGrant(path, fd, readOnly, direct, blockDevice);
    }

    /**
     * A file the host opens for itself, as the backing of an emulated device that the operator named
     * (in the config, or by a privileged call): no module asked for it, so no module rule applies.
     * A regular file or a block device; closing the result closes the descriptor.
     *
     * @throws GrantException naming the path and the errno if it cannot be opened
     */
    public static GrantedFile openForDevice(String path, boolean readOnly) {
        if (!path.startsWith("/")) {
            throw new GrantException(path + " is not an absolute path", dev.jdm.errno.Errno.EINVAL.number());
        }
        int fd = FileIo.open(path, readOnly ? FileIo.O_RDONLY : FileIo.O_RDWR);
        if (fd < 0) {
            throw new GrantException("cannot open " + path + (readOnly ? " read-only" : " read-write") + ": " + FileIo.name(-fd), -fd);
        }
        int type;
        try {
            type = ((Integer) java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self/fd/" + fd), "unix:mode")) & 0170000;
        } catch (java.io.IOException | RuntimeException e) {
            FileIo.close(fd);
            throw new GrantException("cannot stat " + path + ": " + e.getMessage(), dev.jdm.errno.Errno.EIO.number());
        }
        if (type != 0100000 && type != 0060000) {
            FileIo.close(fd);
            throw new GrantException(path + " is neither a regular file nor a block device", dev.jdm.errno.Errno.EINVAL.number());
        }
        return new FileGrant(path, fd, readOnly, false, type == 0060000);
    }
}

package dev.jdm.host.grant;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.Params;
import dev.jdm.abi.grant.GrantException;
import dev.jdm.abi.grant.GrantedFile;
import dev.jdm.abi.grant.GrantedStream;
import dev.jdm.abi.grant.StreamReceiver;
import dev.jdm.abi.grant.Grants;
import dev.jdm.host.log.LogRing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The grants of one module (the I/O server's role for storage). The path comes from the module's
 * load parameters, which whoever loaded it chose (insmod over the gate, or the host config); the
 * host opens it with its own rights and hands the module only the handle. What the module leaves
 * open is closed and reported when it unloads.
 */
public final class ModuleGrants implements Grants, AutoCloseable {
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFIFO = 0010000;

    private final String module;
    private final Params params;
    private final LogRing log;
    private final List<FileGrant> open = new ArrayList<>();
    private final List<StreamGrant> streams = new ArrayList<>();

    public ModuleGrants(String module, Params params, LogRing log) {
        this.module = module;
        this.params = params;
        this.log = log;
    }

    @Override
    public GrantedFile file(String param, int flags) {
        if ((flags & ~(READ_ONLY | DIRECT)) != 0) {
            throw new GrantException(module + ": grant " + param + ": unknown flags 0x" + Integer.toHexString(flags), 22);
        }
        String value = path(param);
        boolean readOnly = (flags & READ_ONLY) != 0;
        boolean direct = (flags & DIRECT) != 0;
        int fd = FileIo.open(value, (readOnly ? FileIo.O_RDONLY : FileIo.O_RDWR) | (direct ? FileIo.O_DIRECT : 0));
        if (fd < 0) {
            throw new GrantException(module + ": grant " + param + ": cannot open " + value + (readOnly ? " read-only" : " read-write")
                    + (direct ? " with O_DIRECT" : "") + ": " + FileIo.name(-fd), -fd);
        }
        int type = typeOf(fd, param, value);
        if (type != S_IFREG && type != S_IFBLK) {
            FileIo.close(fd);
            throw new GrantException(module + ": grant " + param + ": " + value + " is neither a regular file nor a block device", 22);
        }
        FileGrant g = new FileGrant(value, fd, readOnly, direct, type == S_IFBLK);
        synchronized (open) {
            open.add(g);
        }
        log.append(LogLevel.INFO, "grant", module + ": " + param + " = " + value + " (" + (readOnly ? "ro" : "rw") + (direct ? ", O_DIRECT" : "")
                + (type == S_IFBLK ? ", block device" : "") + ")");
        return g;
    }

    @Override
    public GrantedStream stream(String param, StreamReceiver receiver) {
        String value = path(param);
        int fd = FileIo.open(value, FileIo.O_RDONLY | StreamIo.O_NONBLOCK); // non-blocking: a FIFO without a writer yet opens at once
        if (fd < 0) {
            throw new GrantException(module + ": grant " + param + ": cannot open " + value + " read-only: " + FileIo.name(-fd), -fd);
        }
        int type = typeOf(fd, param, value);
        if (type != S_IFCHR && type != S_IFIFO && type != S_IFREG) {
            FileIo.close(fd);
            throw new GrantException(module + ": grant " + param + ": " + value + " is not a character device, FIFO or regular file", 22);
        }
        int wake = StreamIo.eventFd();
        if (wake < 0) {
            FileIo.close(fd);
            throw new GrantException(module + ": grant " + param + ": no eventfd for " + value + ": " + FileIo.name(-wake), -wake);
        }
        StreamGrant g = new StreamGrant(module, value, fd, wake, receiver, log);
        synchronized (open) {
            streams.add(g);
        }
        g.start();
        log.append(LogLevel.INFO, "grant", module + ": " + param + " = " + value + " (stream, ro"
                + (type == S_IFCHR ? ", character device" : type == S_IFIFO ? ", FIFO" : "") + ")");
        return g;
    }

    /** The absolute path the parameter names. */
    private String path(String param) {
        String value;
        try {
            value = params.string(param);
        } catch (RuntimeException e) {
            throw new GrantException(module + ": grant " + param + ": " + e.getMessage(), 22);
        }
        if (value == null || value.isEmpty()) {
            throw new GrantException(module + ": grant " + param + ": the parameter is not set; load with " + param + "=/absolute/path", 2);
        }
        if (!Path.of(value).isAbsolute()) {
            throw new GrantException(module + ": grant " + param + ": " + value + " is not an absolute path", 22);
        }
        return value;
    }

    /** The file type of what was opened (stat of the descriptor, not the path again: no window to swap the file). */
    private int typeOf(int fd, String param, String value) {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:mode")) & S_IFMT;
        } catch (IOException | RuntimeException e) {
            FileIo.close(fd);
            throw new GrantException(module + ": grant " + param + ": cannot stat " + value + ": " + e.getMessage(), 5);
        }
    }

    /** Closes what is still open, reporting it. */
    @Override
    public void close() {
        List<FileGrant> left;
        List<StreamGrant> leftStreams;
        synchronized (open) {
            left = open.stream().filter(FileGrant::isOpen).toList();
            leftStreams = streams.stream().filter(StreamGrant::isOpen).toList();
            open.clear();
            streams.clear();
        }
        for (FileGrant g : left) {
            log.append(LogLevel.WARNING, "grant", module + ": left " + g.path() + " open; closed");
            g.close();
        }
        for (StreamGrant g : leftStreams) {
            log.append(LogLevel.WARNING, "grant", module + ": left " + g.path() + " open; closed");
            g.close();
        }
    }
}

package dev.jdm.host.grant;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.Params;
import dev.jdm.abi.grant.GrantException;
import dev.jdm.abi.grant.GrantedFile;
import dev.jdm.abi.grant.GrantedStream;
import dev.jdm.abi.grant.Grants;
import dev.jdm.abi.grant.StreamReceiver;
import dev.jdm.errno.Errno;
import dev.jdm.host.log.LogRing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The grants of one module (the I/O server's role for storage). A path comes from one of the
 * module's load parameters, which whoever loaded it chose (insmod over the gate, or the host
 * config), or from the module itself; the {@link GrantPolicy} says which it may have, the
 * {@code resource_grant} hook votes on each, and the host opens the file with its own rights and
 * hands the module only the handle. What the module leaves open is closed and reported when it
 * unloads. A refusal is logged, and the module gets EACCES naming the path.
 */
public final class ModuleGrants implements Grants, AutoCloseable {
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFIFO = 0010000;

    private final String module;
    private final String domain;
    private final Params params;
    private final GrantPolicy policy;
    private final GrantAccess access;
    private final LogRing log;
    private final List<Held> open = new ArrayList<>();
    private final List<HeldStream> streams = new ArrayList<>();

    private record Held(FileGrant file, String via) {}

    private record HeldStream(StreamGrant stream, String via) {}

    /** @param domain where the module runs, as rules and the {@code resource_grant} hook name it */
    public ModuleGrants(String module, String domain, Params params, GrantPolicy policy, GrantAccess access, LogRing log) {
        this.module = module;
        this.domain = domain;
        this.params = params;
        this.policy = policy;
        this.access = access;
        this.log = log;
    }

    /** A module with the loader's choices only and no security check (tests). */
    public ModuleGrants(String module, Params params, LogRing log) {
        this(module, "colocated", params, GrantPolicy.loaderChooses(), GrantAccess.NONE, log);
    }

    @Override
    public GrantedFile file(String param, int flags) {
        String what = "grant " + param;
        checkFlags(what, flags);
        return open(what, paramPath(what, param), flags, "param " + param, policy.paramsGranted());
    }

    /** The path the parameter names; its absoluteness is checked where it is opened. */
    private String paramPath(String what, String param) {
        String value;
        try {
            value = params.string(param);
        } catch (RuntimeException e) {
            throw new GrantException(module + ": " + what + ": " + e.getMessage(), Errno.EINVAL.number());
        }
        if (value == null || value.isEmpty()) {
            throw new GrantException(module + ": " + what + ": the parameter is not set; load with " + param + "=/absolute/path",
                    Errno.ENOENT.number());
        }
        return value;
    }

    /**
     * A character device, FIFO or file named by a parameter, read as a stream on a host thread
     * (an input node for one), under the same policy and {@code resource_grant} vote as a file.
     */
    @Override
    public GrantedStream stream(String param, StreamReceiver receiver) {
        StreamGrant g = openStream(param, receiver);
        g.start();
        return g;
    }

    /**
     * Opens, checks, records and logs the stream as {@link #stream} does, and reads it here if
     * {@code receiver} is given; without one the grant only holds the descriptor, for a module
     * that reads it in another process.
     */
    StreamGrant openStream(String param, StreamReceiver receiver) {
        String what = "grant " + param;
        String value = paramPath(what, param);
        if (!value.startsWith("/")) {
            throw new GrantException(module + ": " + what + ": " + value + " is not an absolute path", Errno.EINVAL.number());
        }
        boolean byParam = policy.paramsGranted();
        String via = byParam ? "param " + param : authorise(what, value, false);
        try {
            access.check(module, domain, "file", value);
        } catch (RuntimeException e) {
            throw refuse(what, value + ": refused by resource_grant: " + e.getMessage());
        }
        int fd = FileIo.open(value, FileIo.O_RDONLY | StreamIo.O_NONBLOCK); // non-blocking: a FIFO without a writer yet opens at once
        if (fd < 0) {
            throw new GrantException(module + ": " + what + ": cannot open " + value + " read-only: " + FileIo.name(-fd), -fd);
        }
        int type = openedType(fd, what, value, !byParam, false);
        if (type != S_IFCHR && type != S_IFIFO && type != S_IFREG) {
            FileIo.close(fd);
            throw new GrantException(module + ": " + what + ": " + value + " is not a character device, FIFO or regular file", Errno.EINVAL.number());
        }
        int wake = receiver == null ? -1 : StreamIo.eventFd();
        if (receiver != null && wake < 0) {
            FileIo.close(fd);
            throw new GrantException(module + ": " + what + ": no eventfd for " + value + ": " + FileIo.name(-wake), -wake);
        }
        StreamGrant g = new StreamGrant(module, value, fd, wake, receiver, StreamGrant.warnings(log));
        synchronized (open) {
            streams.add(new HeldStream(g, via));
        }
        log.append(LogLevel.INFO, "grant", module + ": " + param + " = " + value + " (stream, ro"
                + (type == S_IFCHR ? ", character device" : type == S_IFIFO ? ", FIFO" : "") + ")");
        return g;
    }

    @Override
    public GrantedFile fileAt(String path, int flags) {
        String what = "grant of " + path;
        checkFlags(what, flags);
        return open(what, path == null ? "" : path, flags, null, false);
    }

    private void checkFlags(String what, int flags) {
        if ((flags & ~(READ_ONLY | DIRECT)) != 0) {
            throw new GrantException(module + ": " + what + ": unknown flags 0x" + Integer.toHexString(flags), Errno.EINVAL.number());
        }
    }

    /**
     * @param param why the path may be granted without a rule ({@code param NAME}), or null
     * @param withoutRule whether it may
     */
    private GrantedFile open(String what, String value, int flags, String param, boolean withoutRule) {
        if (!value.startsWith("/")) {
            throw new GrantException(module + ": " + what + ": " + value + " is not an absolute path", Errno.EINVAL.number());
        }
        boolean readOnly = (flags & READ_ONLY) != 0;
        boolean direct = (flags & DIRECT) != 0;
        String via = withoutRule ? param : authorise(what, value, !readOnly);
        try {
            access.check(module, domain, "file", value);
        } catch (RuntimeException e) {
            throw refuse(what, value + ": refused by resource_grant: " + e.getMessage());
        }
        int fd = FileIo.open(value, (readOnly ? FileIo.O_RDONLY : FileIo.O_RDWR) | (direct ? FileIo.O_DIRECT : 0));
        if (fd < 0) {
            throw new GrantException(module + ": " + what + ": cannot open " + value + (readOnly ? " read-only" : " read-write")
                    + (direct ? " with O_DIRECT" : "") + ": " + FileIo.name(-fd), -fd);
        }
        int type = openedType(fd, what, value, !withoutRule, !readOnly);
        if (type != S_IFREG && type != S_IFBLK) {
            FileIo.close(fd);
            throw new GrantException(module + ": " + what + ": " + value + " is neither a regular file nor a block device", Errno.EINVAL.number());
        }
        FileGrant g = new FileGrant(value, fd, readOnly, direct, type == S_IFBLK);
        synchronized (open) {
            open.add(new Held(g, via));
        }
        log.append(LogLevel.INFO, "grant", module + ": " + (param != null ? param.substring("param ".length()) + " = " : "") + value + " ("
                + access(g) + (via.equals(param) ? "" : ", " + via) + ")");
        return g;
    }

    /**
     * The file type of what {@code fd} opened, from the descriptor, not the path again: no window to
     * swap the file. Where a rule granted it ({@code ruled}), what was opened must still be what the
     * rule covers: a link swapped in between the check and the open is refused. On any failure the
     * descriptor is closed, once.
     */
    private int openedType(int fd, String what, String value, boolean ruled, boolean write) {
        Path opened = Path.of("/proc/self/fd/" + fd);
        try {
            if (ruled) {
                Path real = Files.readSymbolicLink(opened);
                if (authorised(real, write).isEmpty()) {
                    FileIo.close(fd);
                    throw refuse(what, value + " changed while it was opened, to " + real);
                }
            }
            return ((Integer) Files.getAttribute(opened, "unix:mode")) & S_IFMT;
        } catch (GrantException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            FileIo.close(fd);
            throw new GrantException(module + ": " + what + ": cannot stat " + value + ": " + e.getMessage(), Errno.EIO.number());
        }
    }

    /** The rule that grants the real path of {@code value}, as a {@code via}; refused (and logged) if none does. */
    private String authorise(String what, String value, boolean write) {
        Path real;
        try {
            real = Path.of(value).toRealPath();
        } catch (IOException | RuntimeException e) {
            throw new GrantException(module + ": " + what + ": cannot open " + value + ": no such file", Errno.ENOENT.number());
        }
        return authorised(real, write).map(r -> "rule " + r.path())
                .orElseThrow(() -> refuse(what, (real.toString().equals(value) ? value : value + " (" + real + ")") + " is not granted to "
                        + module + (write ? " read-write" : "") + " by the host's grant policy; a [[grant]] rule with module = \"" + module
                        + "\" (or domain = \"" + domain + "\") and a path covering it" + (write ? ", access = \"rw\"" : "") + " would"));
    }

    private Optional<GrantRule> authorised(Path real, boolean write) {
        return policy.rule(module, domain, real, write);
    }

    private GrantException refuse(String what, String why) {
        String message = module + ": " + what + ": " + why;
        log.append(LogLevel.WARNING, "grant", message);
        return new GrantException(message, Errno.EACCES.number());
    }

    private static String access(FileGrant g) {
        return (g.readOnly() ? "ro" : "rw") + (g.direct() ? ", O_DIRECT" : "") + (g.blockDevice() ? ", block device" : "");
    }

    /** What the module holds open now. */
    List<HeldGrant> held() {
        synchronized (open) {
            List<HeldGrant> all = new ArrayList<>(open.stream().filter(h -> h.file.isOpen())
                    .map(h -> new HeldGrant(module, domain, "file", h.file.path(), access(h.file), h.via)).toList());
            streams.stream().filter(h -> h.stream.isOpen())
                    .forEach(h -> all.add(new HeldGrant(module, domain, "stream", h.stream.path(), "ro", h.via)));
            return all;
        }
    }

    /** Closes what is still open, reporting it. */
    @Override
    public void close() {
        List<FileGrant> left;
        List<StreamGrant> leftStreams;
        synchronized (open) {
            left = open.stream().map(Held::file).filter(FileGrant::isOpen).toList();
            leftStreams = streams.stream().map(HeldStream::stream).filter(StreamGrant::isOpen).toList();
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

package dev.jdm.host.domain.process;

import dev.jdm.abi.LogLevel;
import dev.jdm.host.domain.DomainProtocol;
import dev.jdm.isolation.channel.ControlChannel;
import dev.jdm.isolation.channel.ControlChannelException;
import dev.jdm.isolation.channel.Frame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The domain's end of the control channel: sends (from any thread) and matches the host's answers to their calls. */
final class HostLink {
    /** An answer: errno (0 = done), message, and the descriptor that came with it (or -1). */
    record Answer(int errno, String message, int fd) {}

    private final ControlChannel ch;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<Answer>> attached = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<Answer>> registered = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<Granted>> granted = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<Answer>> lsm = new ConcurrentHashMap<>();

    /** A GRANTED answer: errno (0 = granted), message, and the file's handle, facts and descriptor. */
    record Granted(int errno, String message, long handle, String path, boolean readOnly, boolean direct, boolean blockDevice, int fd) {}

    HostLink(ControlChannel ch) {
        this.ch = ch;
    }

    synchronized void send(int type, byte[] payload) {
        try {
            ch.send(type, payload);
        } catch (IOException e) {
            throw new UncheckedIOException("control channel to the host", e);
        }
    }

    void reply(int type, String module, int errno, String message) {
        send(type, new DomainProtocol.Writer().name(module).i(errno).message(message).bytes());
    }

    void log(String module, LogLevel level, String message) {
        send(DomainProtocol.LOG, new DomainProtocol.Writer().name(module).i(level.ordinal()).message(message).bytes());
    }

    /** A new call: the futures for its LU_ATTACHED and LU_REGISTERED answers. */
    long call(CompletableFuture<Answer> onAttached, CompletableFuture<Answer> onRegistered) {
        long id = ids.incrementAndGet();
        attached.put(id, onAttached);
        registered.put(id, onRegistered);
        return id;
    }

    /** Asks the host for the file its parameter {@code param} names; waits for the answer. */
    Granted grant(String module, String param, int flags) throws InterruptedException {
        return grant(DomainProtocol.GRANT_FILE, w -> w.name(module).string(param, DomainProtocol.MAX_NAME).i(flags));
    }

    /** Asks the host for the file at {@code path}, which its grant policy must cover; waits for the answer. */
    Granted grantPath(String module, String path, int flags) throws InterruptedException {
        return grant(DomainProtocol.GRANT_PATH, w -> w.name(module).message(path).i(flags));
    }

    /** Asks the host for the stream its parameter {@code param} names, read here; waits for the answer. */
    Granted grantStream(String module, String param) throws InterruptedException {
        return grant(DomainProtocol.GRANT_STREAM, w -> w.name(module).string(param, DomainProtocol.MAX_NAME));
    }

    /** Sends a grant request (its id, then what {@code request} writes) and waits for GRANTED. */
    private Granted grant(int type, java.util.function.UnaryOperator<DomainProtocol.Writer> request) throws InterruptedException {
        long id = ids.incrementAndGet();
        CompletableFuture<Granted> f = new CompletableFuture<>();
        granted.put(id, f);
        send(type, request.apply(new DomainProtocol.Writer().l(id)).bytes());
        try {
            return f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            granted.remove(id);
        }
    }

    void granted(Frame f) throws ControlChannelException {
        DomainProtocol.Reader in = new DomainProtocol.Reader("GRANTED", f.payload());
        long id = in.l("id");
        int errno = in.i("errno", 0, 4095);
        String message = in.message("message");
        Granted g;
        if (errno != 0) {
            g = new Granted(errno, message, 0, "", false, false, false, -1);
        } else {
            long handle = in.l("handle");
            String path = in.message("path");
            boolean ro = in.b("read-only");
            boolean direct = in.b("direct");
            boolean blk = in.b("block device");
            if (f.fds().length != 1) {
                throw new ControlChannelException("GRANTED frame carries " + f.fds().length + " fds, expected 1");
            }
            g = new Granted(0, message, handle, path, ro, direct, blk, f.fds()[0]);
            f.fds()[0] = -1; // kept: the granted file
        }
        in.end();
        CompletableFuture<Granted> c = granted.get(id);
        if (c == null) {
            if (g.fd() >= 0) {
                dev.jdm.isolation.sys.Sys.closeQuietly(g.fd());
            }
            throw new ControlChannelException("GRANTED answer to call " + id + ", which is not waiting");
        }
        c.complete(g);
    }

    void answer(Frame f) throws ControlChannelException {
        boolean isAttach = f.type() == DomainProtocol.LU_ATTACHED;
        DomainProtocol.Reader in = new DomainProtocol.Reader(isAttach ? "LU_ATTACHED" : "LU_REGISTERED", f.payload());
        long id = in.l("id");
        int errno = in.i("errno", 0, 4095);
        String message = in.message("message");
        in.end();
        CompletableFuture<Answer> c = (isAttach ? attached : registered).remove(id);
        if (c == null) {
            throw new ControlChannelException("answer to call " + id + ", which is not waiting");
        }
        int fd = -1;
        if (isAttach && errno == 0) {
            if (f.fds().length != 1) {
                throw new ControlChannelException("LU_ATTACHED frame carries " + f.fds().length + " fds, expected 1");
            }
            fd = f.fds()[0];
            f.fds()[0] = -1; // kept: the LU's channel
        }
        c.complete(new Answer(errno, message, fd));
    }

    /** An answer to {@link #askWithFd}: its reader past the id, and the descriptor that rode along (or -1). */
    record Asked(DomainProtocol.Reader in, int fd) {}

    private final Map<Long, CompletableFuture<Asked>> asked = new ConcurrentHashMap<>();

    /**
     * Sends a request whose answer starts with its id (CHR_REGISTER, HOSTLOG_SINCE) and waits for it:
     * the answer's reader, past the id, for the caller to read the rest of.
     */
    DomainProtocol.Reader ask(int type, java.util.function.UnaryOperator<DomainProtocol.Writer> request) throws InterruptedException {
        Asked a = askWithFd(type, request);
        if (a.fd() >= 0) {
            dev.jdm.isolation.sys.Sys.closeQuietly(a.fd()); // none was expected
        }
        return a.in();
    }

    /** {@link #ask}, keeping the descriptor the answer carries (the caller owns it). */
    Asked askWithFd(int type, java.util.function.UnaryOperator<DomainProtocol.Writer> request) throws InterruptedException {
        long id = ids.incrementAndGet();
        CompletableFuture<Asked> f = new CompletableFuture<>();
        asked.put(id, f);
        try {
            send(type, request.apply(new DomainProtocol.Writer().l(id)).bytes());
            return f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            asked.remove(id);
        }
    }

    /** An answer to {@link #ask}; {@code name} is its frame's, for errors. */
    void asked(Frame f, String name) throws ControlChannelException {
        DomainProtocol.Reader in = new DomainProtocol.Reader(name, f.payload());
        long id = in.l("id");
        CompletableFuture<Asked> c = asked.remove(id);
        if (c == null) {
            throw new ControlChannelException(name + " answer to call " + id + ", which is not waiting");
        }
        int fd = -1;
        if (f.fds().length == 1) {
            fd = f.fds()[0];
            f.fds()[0] = -1; // kept: the caller's
        } else if (f.fds().length > 1) {
            throw new ControlChannelException(name + " frame carries " + f.fds().length + " fds, at most 1");
        }
        c.complete(new Asked(in, fd));
    }

    /** REGISTER_LSM: asks the host to stack this module's security module; waits for LSM_REGISTERED. */
    Answer registerLsm(String module) throws InterruptedException {
        long id = ids.incrementAndGet();
        CompletableFuture<Answer> f = new CompletableFuture<>();
        lsm.put(id, f);
        send(DomainProtocol.REGISTER_LSM, new DomainProtocol.Writer().l(id).name(module).bytes());
        try {
            return f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            lsm.remove(id);
        }
    }

    void lsmRegistered(Frame f) throws ControlChannelException {
        DomainProtocol.Reader in = new DomainProtocol.Reader("LSM_REGISTERED", f.payload());
        long id = in.l("id");
        int errno = in.i("errno", 0, 4095);
        String message = in.message("message");
        in.end();
        CompletableFuture<Answer> c = lsm.remove(id);
        if (c == null) {
            throw new ControlChannelException("LSM_REGISTERED answer to call " + id + ", which is not waiting");
        }
        c.complete(new Answer(errno, message, -1));
    }
}

package dev.jdm.host.gate;

import dev.jdm.errno.Errno;
import dev.jdm.gate.Frames;
import dev.jdm.gate.GateVersion;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.jdm.abi.LogLevel;
import dev.jdm.host.HostException;
import dev.jdm.gate.proto.Error;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.sysctl.Sysctl;
import dev.jdm.host.task.Credentials;
import dev.jdm.host.task.Task;
import dev.jdm.host.task.TaskRegistry;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The call gate: a Unix domain socket on which every connection is a task with the credentials
 * the kernel reports. A malformed or unknown message gets an error reply and the connection
 * lives on; a stream that is not gate frames at all closes only that connection.
 *
 * <p>The socket is open to every local user, so nothing a peer sends is trusted with memory or
 * time: connections are limited in total and per uid ({@link ConnectionLimits}), frames are
 * received as their bytes arrive within a shared {@link MemoryBudget} and a per-call size limit
 * ({@link FrameReader}), and a connection must deliver its first call within the handshake
 * deadline and each later one within the idle deadline after the previous reply.
 */
public final class GateServer implements AutoCloseable {
    private final Path socket;
    private final Dispatcher handler;
    private final TaskRegistry tasks;
    private final LogRing log;
    private final Sysctl sysctl;
    private final ConnectionLimits limits;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("gate-deadline").factory());
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private MemoryBudget budget;
    private ServerSocketChannel server;
    private Thread acceptor;
    private volatile boolean closed;

    /** A gate on {@code socket}; its limits are the {@link GateSysctls} keys of {@code sysctl}. */
    public GateServer(Path socket, Dispatcher handler, TaskRegistry tasks, LogRing log, Sysctl sysctl) {
        this.socket = socket;
        this.handler = handler;
        this.tasks = tasks;
        this.log = log;
        this.sysctl = sysctl;
        this.limits = new ConnectionLimits("the call gate", () -> (int) sysctl.longValue(GateSysctls.MAX_CONNECTIONS),
                () -> (int) sysctl.longValue(GateSysctls.MAX_PER_UID));
    }

    /**
     * Binds the socket and starts accepting.
     *
     * @throws HostException EEXIST if another host serves on the socket
     */
    public void start() throws IOException {
        Files.createDirectories(socket.toAbsolutePath().getParent());
        if (Files.exists(socket)) {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                throw new HostException(Errno.EEXIST, "a host is already serving on " + socket + "; stop it or use --socket");
            } catch (IOException stale) {
                Files.delete(socket); // nobody listens: a leftover of a host that died
            }
        }
        budget = new MemoryBudget(sysctl.longValue(GateSysctls.FRAME_MEMORY));
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ListenBacklog.bind(server, UnixDomainSocketAddress.of(socket));
        // Anyone may connect; what a task may do is decided from its credentials, per call.
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        acceptor = Thread.ofPlatform().daemon().name("gate-accept").start(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel ch = server.accept();
                connections.add(ch);
                Thread.ofVirtual().name("gate-conn").start(() -> serve(ch));
            } catch (IOException e) {
                if (!closed) {
                    log.append(LogLevel.ERR, "gate", "accept failed: " + e.getMessage());
                }
            }
        }
    }

    private void serve(SocketChannel ch) {
        Task task = null;
        Credentials admitted = null;
        try (ch) {
            Optional<Credentials> creds = PeerCredentials.of(ch);
            if (creds.isEmpty()) {
                log.append(LogLevel.ERR, "gate", "refused a connection: peer credentials unavailable");
                return; // fail closed: a task without known credentials gets nothing
            }
            ReplyChannel out = new ReplyChannel(ch);
            Optional<String> refusal = limits.admit(creds.get().uid());
            if (refusal.isPresent()) {
                log.append(LogLevel.NOTICE, "gate", "refused a connection from uid " + creds.get().uid() + ": " + refusal.get());
                send(out, error(0, Errno.EBUSY, refusal.get()));
                return;
            }
            admitted = creds.get();
            try {
                task = tasks.create("gate:" + creds.get().pid(), creds.get());
            } catch (HostException e) { // task_alloc denied: say why, once, and hang up
                log.append(LogLevel.NOTICE, "gate", "refused a connection from uid " + creds.get().uid() + ": " + e.getMessage());
                send(out, error(0, e.code(), e.getMessage()));
                return;
            }
            FrameReader in = new FrameReader(new BufferedInputStream(Channels.newInputStream(ch)), budget);
            String deadline = GateSysctls.HANDSHAKE_MS;
            while (true) {
                FrameReader.Frame frame;
                try (Deadline d = new Deadline(ch, task.name(), deadline)) {
                    frame = in.read();
                } catch (FrameReader.Refused e) {
                    log.append(LogLevel.NOTICE, "gate", task.name() + " (uid " + admitted.uid() + "): " + e.getMessage());
                    send(out, error(0, e.code(), e.getMessage()));
                    continue;
                }
                if (frame == null) {
                    break;
                }
                try (frame) {
                    handle(task, frame.body(), out);
                }
                deadline = GateSysctls.IDLE_MS;
            }
        } catch (Frames.GarbageException e) {
            log.append(LogLevel.WARNING, "gate", (task == null ? "?" : task.name()) + ": closed: " + e.getMessage());
        } catch (IOException e) {
            // the client went away, or a deadline closed the connection (logged by the Deadline)
        } finally {
            connections.remove(ch);
            if (task != null) {
                tasks.exit(task);
            }
            if (admitted != null) {
                limits.release(admitted.uid());
            }
        }
    }

    /** Closes a connection that has not delivered a whole frame within the sysctl's time. */
    private final class Deadline implements AutoCloseable {
        private final ScheduledFuture<?> timeout;

        Deadline(SocketChannel ch, String who, String key) {
            long ms = sysctl.longValue(key);
            ScheduledFuture<?> t;
            try {
                t = timer.schedule(() -> {
                    log.append(LogLevel.NOTICE, "gate", who + ": closed: no complete call within " + ms + " ms (" + key + ")");
                    closeQuietly(ch);
                }, ms, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) { // the gate is closing: so is this connection
                closeQuietly(ch);
                t = null;
            }
            timeout = t;
        }

        @Override
        public void close() {
            if (timeout != null) {
                timeout.cancel(false);
            }
        }
    }

    private void handle(Task task, byte[] frame, ReplyChannel out) throws IOException {
        Request request;
        try {
            request = Request.parseFrom(frame);
        } catch (InvalidProtocolBufferException e) {
            send(out, error(0, Errno.EPROTO, "malformed request: " + e.getMessage()));
            return;
        } catch (OutOfMemoryError e) { // the message is about the frame's size again: refuse, do not die
            send(out, error(0, Errno.ENOMEM, "no memory to decode a request of " + frame.length + " bytes; retry later"));
            return;
        }
        java.util.OptionalInt version = GateVersion.negotiate(request.getVersion(), request.getMaxVersion());
        if (version.isEmpty()) {
            send(out, error(request.getId(), Errno.EPROTO, GateVersion.noCommonVersion(request.getVersion(), request.getMaxVersion())));
            return;
        }
        int v = version.getAsInt();
        try {
            handler.dispatch(task, request, v, new Responder() {
                @Override
                public void send(Response r) throws IOException {
                    out.send(stamp(r));
                }

                @Override
                public void send(Response head, ByteBuffer fields, ByteBuffer payload) throws IOException {
                    out.send(stamp(head), fields, payload);
                }

                private Response stamp(Response r) {
                    return r.toBuilder().setId(request.getId()).setVersion(v).build();
                }
            });
        } catch (HostException e) {
            send(out, error(request.getId(), e.code(), e.getMessage()).toBuilder().setVersion(v).build());
        } catch (RuntimeException e) {
            log.append(LogLevel.ERR, "gate", task.name() + ": call failed: " + e);
            send(out, error(request.getId(), Errno.EIO, "internal error: " + e).toBuilder().setVersion(v).build());
        }
    }

    /** Routes a call, at the version negotiated for it, to whoever serves it ({@link CallTable}). */
    @FunctionalInterface
    public interface Dispatcher {
        void dispatch(Task task, Request request, int version, Responder out) throws IOException;
    }

    /** Something that sends responses to the calling task. */
    @FunctionalInterface
    public interface Responder {
        /** Sends one response; the id is filled in. */
        void send(Response response) throws IOException;

        /**
         * Sends {@code head} followed, in the same frame, by {@code fields} (the encoding of the
         * fields that lead to one bytes field, its length included) and {@code payload} (that
         * field's bytes, from any memory): the payload reaches the socket without being copied into
         * an encoded message. This default merges them into one response instead.
         */
        default void send(Response head, ByteBuffer fields, ByteBuffer payload) throws IOException {
            ByteBuffer tail = ByteBuffer.allocate(fields.remaining() + payload.remaining()).put(fields).put(payload).flip();
            send(head.toBuilder().mergeFrom(com.google.protobuf.ByteString.copyFrom(tail)).build());
        }
    }

    private static void send(ReplyChannel out, Response r) throws IOException {
        out.send(r);
    }

    private static Response error(long id, Errno code, String message) {
        return Response.newBuilder().setId(id).setError(Error.newBuilder().setCode(code.name()).setErrno(code.number()).setMessage(message)).build();
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Connections open now, admitted or not yet. */
    public int connectionCount() {
        return connections.size();
    }

    /** The memory budget of frames being received. */
    MemoryBudget frameBudget() {
        return budget;
    }

    /** The socket path. */
    public Path socket() {
        return socket;
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        for (SocketChannel c : connections) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // best effort
        }
    }
}

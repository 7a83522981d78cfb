package dev.jdm.host.gate;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.jdm.abi.LogLevel;
import dev.jdm.host.HostException;
import dev.jdm.host.gate.proto.Error;
import dev.jdm.host.gate.proto.Request;
import dev.jdm.host.gate.proto.Response;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.task.Credentials;
import dev.jdm.host.task.Task;
import dev.jdm.host.task.TaskRegistry;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
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

/**
 * The call gate: a Unix domain socket on which every connection is a task with the credentials
 * the kernel reports. A malformed or unknown message gets an error reply and the connection
 * lives on; a stream that is not gate frames at all closes only that connection.
 */
public final class GateServer implements AutoCloseable {
    /** The protocol version served. */
    public static final int VERSION = 1;

    private final Path socket;
    private final CallHandler handler;
    private final TaskRegistry tasks;
    private final LogRing log;
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private ServerSocketChannel server;
    private Thread acceptor;
    private volatile boolean closed;

    public GateServer(Path socket, CallHandler handler, TaskRegistry tasks, LogRing log) {
        this.socket = socket;
        this.handler = handler;
        this.tasks = tasks;
        this.log = log;
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
                throw new HostException(HostException.Code.EEXIST, "a host is already serving on " + socket + "; stop it or use --socket");
            } catch (IOException stale) {
                Files.delete(socket); // nobody listens: a leftover of a host that died
            }
        }
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
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
        try (ch) {
            Optional<Credentials> creds = PeerCredentials.of(ch);
            if (creds.isEmpty()) {
                log.append(LogLevel.ERR, "gate", "refused a connection: peer credentials unavailable");
                return; // fail closed: a task without known credentials gets nothing
            }
            try {
                task = tasks.create("gate:" + creds.get().pid(), creds.get());
            } catch (HostException e) { // task_alloc denied: say why, once, and hang up
                log.append(LogLevel.NOTICE, "gate", "refused a connection from uid " + creds.get().uid() + ": " + e.getMessage());
                send(new DataOutputStream(Channels.newOutputStream(ch)), error(0, e.code().name(), e.getMessage()));
                return;
            }
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
            byte[] frame;
            while ((frame = Frames.read(in)) != null) {
                handle(task, frame, out);
            }
        } catch (Frames.GarbageException e) {
            log.append(LogLevel.WARNING, "gate", (task == null ? "?" : task.name()) + ": closed: " + e.getMessage());
        } catch (IOException e) {
            // the client went away
        } finally {
            connections.remove(ch);
            if (task != null) {
                tasks.exit(task);
            }
        }
    }

    private void handle(Task task, byte[] frame, DataOutputStream out) throws IOException {
        Request request;
        try {
            request = Request.parseFrom(frame);
        } catch (InvalidProtocolBufferException e) {
            send(out, error(0, "EPROTO", "malformed request: " + e.getMessage()));
            return;
        }
        if (request.getVersion() != VERSION) {
            send(out, error(request.getId(), "EPROTO", "gate protocol version " + request.getVersion() + " is not served; this host serves " + VERSION));
            return;
        }
        try {
            handler.handle(task, request, r -> send(out, r.toBuilder().setId(request.getId()).build()));
        } catch (HostException e) {
            send(out, error(request.getId(), e.code().name(), e.getMessage()));
        } catch (RuntimeException e) {
            log.append(LogLevel.ERR, "gate", task.name() + ": call failed: " + e);
            send(out, error(request.getId(), "EIO", "internal error: " + e));
        }
    }

    /** Something that sends responses to the calling task. */
    @FunctionalInterface
    public interface Responder {
        /** Sends one response; the id is filled in. */
        void send(Response response) throws IOException;
    }

    private static void send(DataOutputStream out, Response r) throws IOException {
        synchronized (out) {
            Frames.write(out, r.toByteArray());
        }
    }

    private static Response error(long id, String code, String message) {
        return Response.newBuilder().setId(id).setError(Error.newBuilder().setCode(code).setMessage(message)).build();
    }

    /** The socket path. */
    public Path socket() {
        return socket;
    }

    @Override
    public void close() {
        closed = true;
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

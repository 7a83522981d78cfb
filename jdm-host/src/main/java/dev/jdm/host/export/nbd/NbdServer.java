package dev.jdm.host.export.nbd;

import dev.jdm.errno.Errno;
import dev.jdm.abi.LogLevel;
import dev.jdm.host.HostException;
import dev.jdm.host.export.ExportAccess;
import dev.jdm.host.export.ExportRegistry;
import dev.jdm.host.export.nbd.tls.TlsMode;
import dev.jdm.host.export.nbd.tls.TlsServer;
import dev.jdm.host.export.nbd.tls.TlsSettings;
import dev.jdm.host.gate.ConnectionLimits;
import dev.jdm.host.gate.ListenBacklog;
import dev.jdm.host.gate.PeerCredentials;
import dev.jdm.host.sys.LoopbackPeers;
import dev.jdm.host.sys.Passwd;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.task.Credentials;
import dev.jdm.host.task.TaskRegistry;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The NBD server: listens on a Unix socket and/or TCP, and serves each connection as a task on
 * its own virtual thread: handshake (closed if it takes longer than the configured timeout),
 * {@code export_connect}, then transmission with a {@code blk_io} check per request. On TCP the
 * handshake may upgrade to TLS (NBD_OPT_STARTTLS, see {@link Connection}), which the configured
 * mode may require. A connection that misbehaves ends alone; the listeners and other connections go on.
 * One uid holds at most {@link NbdLimits#perUid} of the {@link #MAX_CONNECTIONS}, a session idle
 * for {@link NbdLimits#idleMillis} is closed, and each export's connections share a budget of
 * payload bytes in flight.
 */
public final class NbdServer implements AutoCloseable {
    /** Connections served at once; more are closed at accept. */
    public static final int MAX_CONNECTIONS = 256;
    private final NbdConfig config;
    private final ExportRegistry exports;
    private final TaskRegistry tasks;
    private final ExportAccess access;
    private final LogRing log;
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final ConnectionLimits perUid;
    private final Map<String, Semaphore> exportBytes = new ConcurrentHashMap<>();
    private java.util.function.Supplier<BufferPool> pools;
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("nbd-timeout").factory());
    private InetSocketAddress tcpBound;
    private TlsServer tls;
    private volatile boolean closed;

    public NbdServer(NbdConfig config, ExportRegistry exports, TaskRegistry tasks, ExportAccess access, LogRing log) {
        this.config = config;
        this.exports = exports;
        this.tasks = tasks;
        this.access = access;
        this.log = log;
        this.pools = () -> new BufferPool(config.maxInFlightBytes());
        this.perUid = new ConnectionLimits("the NBD server", () -> MAX_CONNECTIONS, config.limits().perUid());
    }

    /**
     * Binds the configured listeners and starts accepting.
     *
     * @throws HostException EEXIST if another server holds the Unix socket, EADDRINUSE-like EBUSY if the TCP port is taken
     */
    public void start() throws IOException {
        checkTcpExposure();
        if (config.socket() != null) {
            Path socket = config.socket();
            Files.createDirectories(socket.toAbsolutePath().getParent());
            if (Files.exists(socket)) {
                try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                    throw new HostException(Errno.EEXIST, "an NBD server is already listening on " + socket);
                } catch (IOException stale) {
                    Files.delete(socket);
                }
            }
            ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ListenBacklog.bind(unix, UnixDomainSocketAddress.of(socket));
            // Owner and group only: until a security module decides per task, the socket's mode is the policy.
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
            listen(unix, "unix");
        }
        if (config.tcp() != null) {
            ServerSocketChannel tcp = ServerSocketChannel.open(StandardProtocolFamily.INET);
            try {
                ListenBacklog.bind(tcp, config.tcp());
            } catch (IOException e) {
                tcp.close();
                throw new HostException(Errno.EBUSY, "NBD: cannot listen on " + config.tcp().getHostString() + ":"
                        + config.tcp().getPort() + " (" + e.getMessage() + "); choose another with --nbd-tcp or [nbd] tcp");
            }
            tcpBound = (InetSocketAddress) tcp.getLocalAddress();
            listen(tcp, "tcp");
        }
    }

    /**
     * Fails closed before binding: a TCP address beyond loopback is served only with TLS required
     * or with the configuration's explicit {@code cleartext_beyond_loopback}, and then with a warning.
     * Loads the certificates, so that a bad file stops the listener at start, not at the first client.
     */
    private void checkTcpExposure() {
        if (config.tcp() == null) {
            return;
        }
        TlsSettings t = config.tls();
        if (t.mode() != TlsMode.OFF) {
            try {
                tls = TlsServer.of(t);
            } catch (IllegalArgumentException e) {
                throw new HostException(Errno.EINVAL, "NBD TLS: " + e.getMessage());
            }
            if (!t.verifyPeer()) {
                log.append(LogLevel.WARNING, "nbd", "TLS without peer verification: clients prove no identity, so a client not on "
                        + "loopback acts as uid -1" + (t.clients().isEmpty() ? "" : " and the [[nbd.tls.client]] entries are unused")
                        + "; add --nbd-tls-verify-peer");
            }
        }
        var a = config.tcp().getAddress();
        String where = config.tcp().getHostString() + ":" + config.tcp().getPort();
        if (a.isLoopbackAddress() || t.mode() == TlsMode.REQUIRE) {
            return;
        }
        if (!config.cleartextBeyondLoopback()) {
            throw new HostException(Errno.EPERM, "NBD: refusing to serve clear text on " + where + ", beyond loopback; "
                    + "use --nbd-tls require with --nbd-tls-certificates DIR, or set [nbd] cleartext_beyond_loopback = true");
        }
        log.append(LogLevel.WARNING, "nbd", "serving clear text beyond loopback on " + where + " (tls " + t.mode()
                + "): anyone on the network can read and change what clients send");
    }

    private void listen(ServerSocketChannel server, String transport) {
        listeners.add(server);
        Thread.ofPlatform().daemon().name("nbd-accept-" + transport).start(() -> {
            while (!closed) {
                try {
                    SocketChannel ch = server.accept();
                    if (connections.size() >= MAX_CONNECTIONS) {
                        log.append(LogLevel.WARNING, "nbd", "refused a " + transport + " connection: " + MAX_CONNECTIONS + " are open");
                        closeQuietly(ch);
                        continue;
                    }
                    connections.add(ch);
                    // Platform threads: a connection's reader blocks in the kernel on large payloads
                    // instead of parking on the poller once per socket-buffer fill (measured: 1 MiB
                    // writes ~30% faster); connections are few and capped.
                    Thread.ofPlatform().daemon().name("nbd-conn").start(() -> serve(ch, transport));
                } catch (IOException e) {
                    if (!closed) {
                        log.append(LogLevel.ERR, "nbd", "accept on " + transport + " failed: " + e.getMessage());
                    }
                }
            }
        });
    }

    /** Room for a few 1 MiB read replies in the kernel, so that the reply writer seldom blocks mid-reply. */
    static final int SEND_BUFFER = 4 << 20;

    /**
     * Asks for a larger send buffer (the kernel caps it at net.core.wmem_max): with the default of
     * about 200 KiB, a 1 MiB read reply is written in five blocking steps, each waiting for the
     * client to read and waking the writer again.
     */
    private static void sendBuffer(SocketChannel ch) {
        try {
            ch.setOption(java.net.StandardSocketOptions.SO_SNDBUF, SEND_BUFFER);
        } catch (IOException | UnsupportedOperationException e) {
            // the default buffer works, only with more wake-ups
        }
    }

    private void serve(SocketChannel ch, String transport) {
        Connection conn = null;
        String who = transport;
        Credentials admitted = null;
        try (ch) {
            sendBuffer(ch);
            ExportAccess.Peer peer;
            Credentials creds;
            if (transport.equals("unix")) {
                Optional<Credentials> c = PeerCredentials.of(ch);
                if (c.isEmpty()) {
                    log.append(LogLevel.ERR, "nbd", "refused a connection: peer credentials unavailable");
                    return; // fail closed, as the call gate does
                }
                creds = c.get();
                peer = new ExportAccess.Peer("unix", config.socket().toString(), true);
                who = "nbd:unix:" + creds.pid();
            } else {
                ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                InetSocketAddress remote = (InetSocketAddress) ch.getRemoteAddress();
                // a loopback peer's uid is in the kernel's socket table; anyone else is unknown (-1)
                // until a verified client certificate says otherwise (Connection.startTls)
                var uid = LoopbackPeers.uid((InetSocketAddress) ch.getLocalAddress(), remote);
                creds = uid.isPresent() ? new Credentials(uid.getAsInt(), Passwd.primaryGid(uid.getAsInt()), -1) : new Credentials(-1, -1, -1);
                peer = new ExportAccess.Peer("tcp", remote.getHostString() + ":" + remote.getPort(), uid.isPresent());
                who = "nbd:tcp:" + peer.address();
            }
            Optional<String> refusal = perUid.admit(creds.uid());
            if (refusal.isPresent()) { // before the greeting NBD has no way to say why: the log does
                log.append(LogLevel.NOTICE, "nbd", "refused " + who + " (uid " + creds.uid() + "): " + refusal.get());
                return;
            }
            admitted = creds;
            boolean tcp = transport.equals("tcp");
            conn = new Connection(ch, tasks, tasks.create(who, creds), peer, tcp ? config.tls().mode() : TlsMode.OFF, tcp ? tls : null);
            String name = who;
            ScheduledFuture<?> deadline = timer.schedule(() -> {
                log.append(LogLevel.WARNING, "nbd", name + ": handshake not done after " + config.handshakeTimeout().toMillis() + " ms; closed");
                closeQuietly(ch);
            }, config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            Optional<Session> session;
            try {
                session = new Handshake(conn, exports, access, config, (level, m) -> log.append(level, "nbd", m)).run();
            } finally {
                deadline.cancel(false);
            }
            if (session.isEmpty() || !ch.isOpen()) {
                return;
            }
            Session s = session.get();
            Connection c = conn;
            Optional<ExportRegistry.Attachment> attached = exports.attach(s.export(), () -> closeQuietly(ch));
            if (attached.isEmpty()) {
                return; // removed while negotiating
            }
            try (ExportRegistry.Attachment a = attached.get()) {
                log.append(LogLevel.INFO, "nbd", name + ": uses " + s.export().name() + (s.extended() ? " (extended headers)"
                        : s.structured() ? " (structured replies)" : "") + (c.encrypted() ? " over TLS" : ""));
                long idleMs = config.limits().idleMillis().getAsLong();
                IdleWatch idle = new IdleWatch(timer, idleMs, () -> {
                    log.append(LogLevel.NOTICE, "nbd", name + ": idle for " + idleMs + " ms (" + NbdLimits.IDLE_MS + "); closed");
                    closeQuietly(ch);
                });
                Semaphore budget = exportBytes.computeIfAbsent(s.export().name(),
                        e -> new Semaphore((int) Math.min(Integer.MAX_VALUE, config.limits().exportBytes().getAsLong())));
                new Transmission(c.channel(), s, c.task(), access, config, budget, idle,
                        m -> log.append(LogLevel.WARNING, "nbd", name + ": " + m), pools.get()).run();
            }
        } catch (Handshake.ProtocolException e) {
            log.append(LogLevel.WARNING, "nbd", who + ": closed: " + e.getMessage());
        } catch (EOFException e) {
            log.append(LogLevel.INFO, "nbd", who + ": " + e.getMessage());
        } catch (IOException e) {
            // the peer went away, or the connection was closed by a timeout or a forced unexport
        } catch (RuntimeException e) {
            log.append(LogLevel.ERR, "nbd", who + ": connection failed: " + e);
        } finally {
            connections.remove(ch);
            if (conn != null) {
                conn.close();
                tasks.exit(conn.task());
            }
            if (admitted != null) {
                perUid.release(admitted.uid());
            }
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** The Unix socket served, or null. */
    public Path socket() {
        return config.socket();
    }

    /** The TCP address actually bound (the real port when 0 was asked for), or null. */
    public InetSocketAddress tcpAddress() {
        return tcpBound;
    }

    /** The TLS mode of the TCP listener. */
    public TlsMode tlsMode() {
        return config.tls().mode();
    }

    /** Payload bytes of {@code export}'s budget free now (the whole budget if it was never used). */
    long exportBytesFree(String export) {
        Semaphore s = exportBytes.get(export);
        return s == null ? config.limits().exportBytes().getAsLong() : s.availablePermits();
    }

    /** Whitebox: the buffer pools connections get from now on. */
    void usePools(java.util.function.Supplier<BufferPool> p) {
        pools = p;
    }

    /** Connections open now. */
    public int connectionCount() {
        return connections.size();
    }

    /** Stops listening, closes every connection, removes the Unix socket. */
    @Override
    public void close() {
        closed = true;
        listeners.forEach(l -> {
            try {
                l.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        });
        connections.forEach(NbdServer::closeQuietly);
        timer.shutdownNow();
        if (config.socket() != null) {
            try {
                Files.deleteIfExists(config.socket());
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}

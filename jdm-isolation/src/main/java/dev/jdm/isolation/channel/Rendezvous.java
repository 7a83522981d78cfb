package dev.jdm.isolation.channel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * How a child JVM, which inherits no descriptors from {@code ProcessBuilder}, reaches its host:
 *
 * <ol>
 *   <li>the host creates a fresh 0700 directory (only its own uid can enter it) with a listening
 *       SOCK_SEQPACKET socket in it, and a 256-bit random token;
 *   <li>it starts the child with the socket's path as an argument and writes the token to the
 *       child's stdin (not argv, which every user can read in /proc; not the environment, which
 *       outlives the hand-over);
 *   <li>the child connects before it drops its uid and sends a {@link #HELLO} frame with the token;
 *   <li>the host accepts one connection, requires SO_PEERCRED's pid to be the child it started and
 *       the token to match (constant-time), then removes the socket and the directory: nobody can
 *       connect afterwards, and a second attempt finds no socket.
 * </ol>
 *
 * Everything after that (regions, doorbells, opened files) travels on the connection as descriptors.
 */
public final class Rendezvous implements AutoCloseable {
    /** The child's first frame: the token, UTF-8. */
    public static final int HELLO = 1;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final Path socketPath;
    private final String token;
    private final UnixSocket listener;

    private Rendezvous(Path dir, Path socketPath, String token, UnixSocket listener) {
        this.dir = dir;
        this.socketPath = socketPath;
        this.token = token;
        this.listener = listener;
    }

    /** A new rendezvous point under {@code parent} (the temp directory when null). */
    public static Rendezvous open(Path parent) throws IOException {
        var perms = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
        Path dir = parent == null ? Files.createTempDirectory("jdm-domain-", perms) : Files.createTempDirectory(parent, "jdm-domain-", perms);
        Path socket = dir.resolve("control");
        byte[] t = new byte[32];
        RANDOM.nextBytes(t);
        try {
            return new Rendezvous(dir, socket, HexFormat.of().formatHex(t), UnixSocket.listen(socket));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(dir);
            throw e;
        }
    }

    public Path socketPath() {
        return socketPath;
    }

    /** The one-time token the child must present. */
    public String token() {
        return token;
    }

    /** Whether a connection is waiting, after up to {@code timeoutMillis}. */
    public boolean pending(long timeoutMillis) throws IOException {
        return listener.pollIn(timeoutMillis);
    }

    /**
     * Accepts the child's connection within {@code timeoutMillis} and checks its pid and token; the
     * rendezvous point is removed whatever the outcome.
     */
    public ControlChannel accept(long expectedPid, long timeoutMillis) throws IOException {
        try {
            UnixSocket s = listener.accept(timeoutMillis);
            ControlChannel ch = new ControlChannel(s, 1024, 0);
            try {
                UnixSocket.PeerCredentials peer = s.peer();
                if (peer.pid() != expectedPid) {
                    throw new ControlChannelException("rendezvous: connection from pid " + peer.pid() + ", expected the child " + expectedPid);
                }
                if (!s.pollIn(timeoutMillis)) {
                    throw new ControlChannelException("rendezvous: pid " + peer.pid() + " sent no token within " + timeoutMillis + " ms");
                }
                Frame hello = ch.expect(HELLO);
                hello.closeFds();
                if (hello.fds().length > 0) {
                    throw new ControlChannelException("rendezvous: pid " + peer.pid() + " sent descriptors with its token");
                }
                if (!MessageDigest.isEqual(hello.payload(), token.getBytes(StandardCharsets.UTF_8))) {
                    throw new ControlChannelException("rendezvous: pid " + peer.pid() + " presented a wrong token");
                }
                return new ControlChannel(s);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } finally {
            close();
        }
    }

    /** The child's side: connects to {@code socket} and presents {@code token}. */
    public static ControlChannel connect(Path socket, String token) throws IOException {
        ControlChannel ch = new ControlChannel(UnixSocket.connect(socket));
        try {
            ch.send(HELLO, token.getBytes(StandardCharsets.UTF_8));
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        Files.deleteIfExists(socketPath);
        Files.deleteIfExists(dir);
    }
}

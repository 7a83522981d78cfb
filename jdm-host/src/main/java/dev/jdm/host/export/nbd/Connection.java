package dev.jdm.host.export.nbd;

import dev.jdm.host.export.ExportAccess;
import dev.jdm.host.export.nbd.tls.TlsMode;
import dev.jdm.host.export.nbd.tls.TlsServer;
import dev.jdm.host.task.Task;
import dev.jdm.host.task.TaskRegistry;
import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;

/**
 * One NBD connection as negotiation sees it: the channel it speaks on, the task it acts as and
 * where it comes from. NBD_OPT_STARTTLS replaces all three: the channel becomes encrypted, the
 * peer's transport becomes {@code tls}, and a verified client certificate that maps to an identity
 * gives the connection a new task with those credentials (the old one exits), so every later
 * {@code export_connect}, {@code dev_open} and {@code blk_io} sees who the certificate proved.
 */
final class Connection {
    private final SocketChannel socket;
    private final TaskRegistry tasks;
    private final TlsMode mode;
    private final TlsServer tls;
    private ByteChannel channel;
    private Task task;
    private ExportAccess.Peer peer;
    private String tlsDescription;

    /**
     * @param mode the TLS mode of this listener ({@code off} on the Unix socket)
     * @param tls the TLS server, or null when {@code mode} is off
     */
    Connection(SocketChannel socket, TaskRegistry tasks, Task task, ExportAccess.Peer peer, TlsMode mode, TlsServer tls) {
        this.socket = socket;
        this.tasks = tasks;
        this.task = task;
        this.peer = peer;
        this.mode = mode;
        this.tls = tls;
        this.channel = socket;
    }

    ByteChannel channel() {
        return channel;
    }

    Task task() {
        return task;
    }

    ExportAccess.Peer peer() {
        return peer;
    }

    TlsMode mode() {
        return mode;
    }

    /** Whether TLS is running on this connection. */
    boolean encrypted() {
        return tlsDescription != null;
    }

    /** Protocol, cipher suite and client identity, or null in clear text. */
    String tlsDescription() {
        return tlsDescription;
    }

    /**
     * Upgrades to TLS: called after NBD_REP_ACK to NBD_OPT_STARTTLS has been sent.
     *
     * @throws IOException if the TLS handshake fails; the spec then requires the session to end
     */
    void startTls() throws IOException {
        TlsServer.Session s = tls.accept(socket);
        channel = s.channel();
        tlsDescription = s.describe();
        boolean proven = s.credentials().isPresent();
        peer = new ExportAccess.Peer("tls", peer.address(), proven || peer.credentialsKnown());
        if (proven) {
            Task old = task;
            task = tasks.create(old.name(), s.credentials().get());
            tasks.exit(old);
        }
    }

    /** Closes the connection, shutting TLS down first if it runs ("Terminating the transmission phase"). */
    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}

package dev.jdm.hw.emu.uart;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A serial line that is a listening Unix domain socket: one peer at a time is the far side (a
 * terminal program, {@code socat}, a test). A second peer waits in the listen backlog until the first
 * leaves. With no peer, what the UART sends is lost, as on an unplugged cable. The socket file is
 * made by {@link #listen} and removed by {@link #close}.
 */
public final class UnixSocketLine implements SerialLine {
    private final Path path;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final SelectionKey acceptKey;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean connected;
    private SocketChannel peer; // the worker's thread only
    private SelectionKey peerKey;

    private UnixSocketLine(Path path, Selector selector, ServerSocketChannel server) throws IOException {
        this.path = path;
        this.selector = selector;
        this.server = server;
        server.configureBlocking(false);
        this.acceptKey = server.register(selector, SelectionKey.OP_ACCEPT);
    }

    /** Listens at {@code path}, which must not exist yet. */
    public static UnixSocketLine listen(Path path) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path), 1);
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen for a serial peer at " + path + ": " + e.getMessage()
                    + (Files.exists(path) ? " (the path exists; remove a stale socket or choose another path)" : ""), e);
        }
        try {
            return new UnixSocketLine(path, Selector.open(), server);
        } catch (IOException e) {
            server.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /** Where the socket listens. */
    public Path path() {
        return path;
    }

    /** Bytes sent while no peer was attached or faster than the peer read them. */
    public long droppedBytes() {
        return dropped.get();
    }

    @Override
    public void send(byte[] bytes, int offset, int length) throws IOException {
        ensureOpen();
        int taken = 0;
        if (peer != null) {
            try {
                taken = peer.write(ByteBuffer.wrap(bytes, offset, length));
            } catch (IOException e) {
                dropPeer(); // the peer went away; the line is still there
            }
        }
        dropped.addAndGet(length - taken);
    }

    @Override
    public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        ensureOpen();
        try {
            if (timeoutNanos <= 0) {
                selector.selectNow();
            } else {
                selector.select(Math.max(1, Math.ceilDiv(Math.min(timeoutNanos, Long.MAX_VALUE / 2), 1_000_000L)));
            }
        } catch (ClosedSelectorException e) {
            throw new IOException("the serial line at " + path + " was closed while in use", e);
        }
        boolean readable = false;
        for (SelectionKey k : selector.selectedKeys()) {
            if (k == acceptKey && k.isValid() && k.isAcceptable()) {
                accept();
            } else if (k == peerKey && k.isValid() && k.isReadable()) {
                readable = true;
            }
        }
        selector.selectedKeys().clear();
        if (!readable || peer == null) {
            return 0;
        }
        try {
            int n = peer.read(dst);
            if (n >= 0) {
                return n;
            }
        } catch (IOException e) {
            // reset by the peer: it has gone, as below
        }
        dropPeer();
        return 0;
    }

    @Override
    public void wakeup() {
        try {
            selector.wakeup();
        } catch (ClosedSelectorException e) {
            // closed: there is nobody to wake
        }
    }

    @Override
    public boolean connected() {
        return connected;
    }

    @Override
    public void close() throws IOException {
        try (selector; server) {
            if (peer != null) {
                peer.close();
            }
        } finally {
            connected = false;
            Files.deleteIfExists(path);
        }
    }

    private void accept() throws IOException {
        SocketChannel c = server.accept();
        if (c == null) {
            return;
        }
        c.configureBlocking(false);
        peer = c;
        peerKey = c.register(selector, SelectionKey.OP_READ);
        acceptKey.interestOps(0); // one peer at a time; the next waits in the backlog
        connected = true;
    }

    private void dropPeer() throws IOException {
        peerKey.cancel();
        try {
            peer.close();
        } finally {
            peer = null;
            peerKey = null;
            connected = false;
            if (acceptKey.isValid()) { // not when the line is being closed
                acceptKey.interestOps(SelectionKey.OP_ACCEPT);
            }
        }
    }

    private void ensureOpen() throws IOException {
        if (!selector.isOpen()) {
            throw new IOException("the serial line at " + path + " is closed");
        }
    }
}

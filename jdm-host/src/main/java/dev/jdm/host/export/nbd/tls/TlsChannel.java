package dev.jdm.host.export.nbd.tls;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * A blocking byte channel that speaks TLS through an {@link SSLEngine} over a blocking socket, on
 * the caller's threads: the connection's reader reads and its reply writer writes at the same
 * time, as they do in clear text. Reads and writes each hold their own lock; SSLEngine allows
 * {@code wrap} and {@code unwrap} to run concurrently. A post-handshake message that needs an
 * answer (a TLS 1.3 KeyUpdate, RFC 8446 4.6.3) is answered by the reader under the write lock.
 */
public final class TlsChannel implements ByteChannel, GatheringByteChannel {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** Records gathered before one socket write: fewer system calls for large replies. */
    private static final int RECORDS_PER_WRITE = 16;
    /** Records read from the socket at most in one system call. */
    private static final int RECORDS_PER_READ = 4;

    private final SocketChannel socket;
    private final SSLEngine engine;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final int appSize;
    private final int packetSize;
    private final ByteBuffer netIn;  // ciphertext read and not yet unwrapped; kept flipped (ready to read)
    private final ByteBuffer appIn;  // plaintext unwrapped and not yet returned; kept flipped
    private final ByteBuffer netOut; // ciphertext not yet sent; kept in fill mode

    TlsChannel(SocketChannel socket, SSLEngine engine) {
        this.socket = socket;
        this.engine = engine;
        SSLSession s = engine.getSession();
        this.appSize = s.getApplicationBufferSize();
        this.packetSize = s.getPacketBufferSize();
        this.netIn = ByteBuffer.allocateDirect(packetSize * RECORDS_PER_READ).flip();
        this.appIn = ByteBuffer.allocateDirect(appSize).flip();
        this.netOut = ByteBuffer.allocateDirect(packetSize * RECORDS_PER_WRITE);
    }

    /** Runs the TLS handshake to its end; the peer's certificate, if any, is then in the session. */
    void handshake() throws IOException {
        engine.beginHandshake();
        readLock.lock();
        try {
            while (true) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_WRAP -> wrapAndSend(new ByteBuffer[] {EMPTY});
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        if (unwrapBuffered(false) < 0) {
                            throw new EOFException("peer closed the connection during the TLS handshake");
                        }
                    }
                    case NEED_TASK -> runTasks();
                    case FINISHED, NOT_HANDSHAKING -> {
                        return;
                    }
                }
            }
        } finally {
            readLock.unlock();
        }
    }

    /** The negotiated session: protocol, cipher suite, peer certificates. */
    public SSLSession session() {
        return engine.getSession();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        readLock.lock();
        try {
            while (true) {
                if (appIn.hasRemaining()) {
                    int n = Math.min(appIn.remaining(), dst.remaining());
                    dst.put(dst.position(), appIn, appIn.position(), n);
                    dst.position(dst.position() + n);
                    appIn.position(appIn.position() + n);
                    return n;
                }
                if (dst.remaining() >= appSize) {
                    return unwrap(dst, true); // straight into the caller's buffer, no copy
                }
                if (unwrapBuffered(true) < 0) {
                    return -1;
                }
            }
        } finally {
            readLock.unlock();
        }
    }

    /** Unwraps into {@link #appIn}, after what it still holds (none when called from {@link #read}). */
    private int unwrapBuffered(boolean data) throws IOException {
        appIn.compact();
        try {
            return unwrap(appIn, data);
        } finally {
            appIn.flip();
        }
    }

    /**
     * Unwraps records into {@code dst} (which has room for one), reading the socket as needed.
     *
     * @param data keep going until some application data arrived (else return after one record)
     * @return bytes produced, or -1 at the end of the stream or the peer's close_notify
     */
    private int unwrap(ByteBuffer dst, boolean data) throws IOException {
        int produced = 0;
        while (true) {
            SSLEngineResult r = engine.unwrap(netIn, dst);
            switch (r.getStatus()) {
                case OK -> {
                    produced += r.bytesProduced();
                    if (!data) {
                        return produced; // the handshake loop decides what comes next
                    }
                    afterUnwrap(r.getHandshakeStatus());
                    // More records already read and room for them: take them without a system call.
                    boolean more = netIn.hasRemaining() && dst.remaining() >= appSize && r.bytesConsumed() > 0;
                    if (produced > 0 && !more) {
                        return produced;
                    }
                }
                case BUFFER_UNDERFLOW -> {
                    if (produced > 0) {
                        return produced; // do not block for the next record while data waits to be returned
                    }
                    netIn.compact();
                    int n;
                    try {
                        n = socket.read(netIn);
                    } finally {
                        netIn.flip();
                    }
                    if (n < 0) {
                        return -1;
                    }
                }
                case BUFFER_OVERFLOW -> {
                    if (produced > 0) {
                        return produced;
                    }
                    throw new SSLException("a TLS record larger than the negotiated " + appSize + " bytes");
                }
                case CLOSED -> {
                    return produced > 0 ? produced : -1;
                }
            }
        }
    }

    private void afterUnwrap(SSLEngineResult.HandshakeStatus hs) throws IOException {
        if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
            runTasks();
            hs = engine.getHandshakeStatus();
        }
        if (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP && !engine.isOutboundDone()) {
            wrapAndSend(new ByteBuffer[] {EMPTY}); // e.g. the answer to a KeyUpdate
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    /** Encrypts and sends all of {@code srcs}; returns the plaintext bytes sent. */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        ByteBuffer[] part = offset == 0 && length == srcs.length ? srcs : Arrays.copyOfRange(srcs, offset, offset + length);
        return wrapAndSend(part);
    }

    private long wrapAndSend(ByteBuffer[] srcs) throws IOException {
        writeLock.lock();
        try {
            long sent = 0;
            boolean again;
            do {
                SSLEngineResult r = engine.wrap(srcs, netOut);
                sent += r.bytesConsumed();
                again = remaining(srcs) > 0;
                switch (r.getStatus()) {
                    case OK -> { }
                    case BUFFER_OVERFLOW -> {
                        flush();
                        again = true;
                    }
                    case CLOSED -> {
                        if (again) {
                            flush();
                            throw new ClosedChannelException();
                        }
                    }
                    case BUFFER_UNDERFLOW -> throw new IllegalStateException("wrap never underflows");
                }
                if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    runTasks();
                }
                if (netOut.remaining() < packetSize) {
                    flush();
                }
            } while (again);
            flush();
            return sent;
        } finally {
            writeLock.unlock();
        }
    }

    private void flush() throws IOException {
        netOut.flip();
        try {
            while (netOut.hasRemaining()) {
                socket.write(netOut);
            }
        } finally {
            netOut.compact();
        }
    }

    private static long remaining(ByteBuffer[] bufs) {
        long n = 0;
        for (ByteBuffer b : bufs) {
            n += b.remaining();
        }
        return n;
    }

    private void runTasks() {
        for (Runnable t = engine.getDelegatedTask(); t != null; t = engine.getDelegatedTask()) {
            t.run(); // on this thread: the connection's own, as the clear-text path does its work
        }
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    /**
     * Sends close_notify if the writer is free and the socket takes it at once (the spec's "shut
     * down TLS" before a disconnect), then closes the socket. Never blocks on a peer that stopped reading.
     */
    @Override
    public void close() throws IOException {
        try {
            if (socket.isOpen() && writeLock.tryLock()) {
                try {
                    engine.closeOutbound();
                    netOut.clear();
                    engine.wrap(EMPTY, netOut);
                    netOut.flip();
                    socket.configureBlocking(false);
                    socket.write(netOut);
                } catch (IOException | RuntimeException ignored) {
                    // closing anyway
                } finally {
                    netOut.clear();
                    writeLock.unlock();
                }
            }
        } finally {
            socket.close();
        }
    }
}

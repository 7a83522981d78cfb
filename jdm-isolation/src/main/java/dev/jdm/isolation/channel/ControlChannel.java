package dev.jdm.isolation.channel;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Framed control messages over a SOCK_SEQPACKET Unix socket:
 *
 * <pre>
 *   0  magic  int  "JDMC" (0x434D444A little-endian bytes J D M C)
 *   4  type   int
 *   8  length int  payload bytes, at most the channel's limit
 *  12  payload
 * </pre>
 *
 * One frame is one socket message, its descriptors attached with SCM_RIGHTS. A frame that is longer
 * than the limit, shorter than its header, carries a wrong magic or a length that disagrees with its
 * size, or more descriptors than allowed, is refused with a {@link ControlChannelException} naming
 * what was wrong, and every descriptor that came with it is closed.
 */
public final class ControlChannel implements AutoCloseable {
    public static final int MAGIC = 0x434D444A;
    public static final int HEADER = 12;
    public static final int DEFAULT_LIMIT = 64 * 1024;
    public static final int DEFAULT_MAX_FDS = 16;

    private final UnixSocket socket;
    private final int limit;
    private final int maxFds;

    public ControlChannel(UnixSocket socket) {
        this(socket, DEFAULT_LIMIT, DEFAULT_MAX_FDS);
    }

    public ControlChannel(UnixSocket socket, int limit, int maxFds) {
        if (limit < 0 || maxFds < 0) {
            throw new IllegalArgumentException("limits must not be negative: " + limit + " bytes, " + maxFds + " fds");
        }
        this.socket = socket;
        this.limit = limit;
        this.maxFds = maxFds;
    }

    /** Sends a frame of {@code type} with {@code payload} and {@code fds} (which stay open here). */
    public void send(int type, byte[] payload, int... fds) throws IOException {
        if (payload.length > limit) {
            throw new IllegalArgumentException("frame type " + type + " has " + payload.length + " payload bytes, limit " + limit);
        }
        if (fds.length > maxFds) {
            throw new IllegalArgumentException("frame type " + type + " carries " + fds.length + " fds, limit " + maxFds);
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(type).putInt(payload.length).put(payload);
        socket.send(b.array(), fds);
    }

    /** The next frame; {@link EOFException} when the peer closed its end. */
    public Frame receive() throws IOException {
        // One byte over the limit, so that a frame of exactly limit + 1 is seen as too long, not cut.
        UnixSocket.Received r = socket.receive(HEADER + limit + 1, maxFds);
        if (r == null) {
            throw new EOFException("control channel closed by the peer");
        }
        try {
            return check(r);
        } catch (ControlChannelException e) {
            r.closeFds();
            throw e;
        }
    }

    private Frame check(UnixSocket.Received r) throws ControlChannelException {
        if (r.controlTruncated()) {
            throw new ControlChannelException("control frame carried more than " + maxFds + " fds (the extra ones were discarded)");
        }
        byte[] d = r.data();
        if (r.truncated() || d.length > HEADER + limit) {
            throw new ControlChannelException("control frame longer than the limit of " + limit + " payload bytes");
        }
        if (d.length < HEADER) {
            throw new ControlChannelException("control frame of " + d.length + " bytes is shorter than its " + HEADER + "-byte header");
        }
        ByteBuffer b = ByteBuffer.wrap(d).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt();
        if (magic != MAGIC) {
            throw new ControlChannelException("control frame magic is 0x" + Integer.toHexString(magic) + ", expected 0x" + Integer.toHexString(MAGIC));
        }
        int type = b.getInt();
        int length = b.getInt();
        if (length != d.length - HEADER) {
            throw new ControlChannelException("control frame type " + type + " says " + length + " payload bytes but carries " + (d.length - HEADER));
        }
        byte[] payload = new byte[length];
        b.get(payload);
        return new Frame(type, payload, r.fds());
    }

    /** The frame after checking that it is of {@code type}; closes its fds and throws otherwise. */
    public Frame expect(int type) throws IOException {
        Frame f = receive();
        if (f.type() != type) {
            f.closeFds();
            throw new ControlChannelException("expected control frame type " + type + ", got " + f.type());
        }
        return f;
    }

    public UnixSocket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

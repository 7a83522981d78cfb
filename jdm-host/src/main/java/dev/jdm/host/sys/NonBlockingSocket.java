package dev.jdm.host.sys;

import dev.jdm.gate.GateSocket;
import dev.jdm.isolation.sys.Sys;
import dev.jdm.isolation.sys.SysException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.Optional;

/**
 * A second descriptor of a connected socket that sends without ever waiting (sendmsg with
 * MSG_DONTWAIT, through the isolation kit's {@link Sys}): a thread that must not be held up by a
 * slow peer sends what the socket buffer takes now and leaves the rest to a thread that may wait.
 * The JDK's channels have no such call on a channel in blocking mode, whose reads another thread is
 * blocked in.
 *
 * <p>The descriptor is a close-on-exec duplicate (F_DUPFD_CLOEXEC) of the channel's own, so that the channel being closed by another
 * thread cannot hand its number to a newly opened file while this one sends. The socket stays open
 * until both are closed: its owner closes this one when the connection ends. Sends and the close are
 * serialised here; callers send one batch at a time so that batches do not interleave.
 */
public final class NonBlockingSocket implements AutoCloseable {
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    /** The most iovecs one sendmsg takes here; a longer array is sent in several calls. */
    static final int MAX_IOV = 256;
    // struct msghdr on LP64 Linux: name, namelen (+pad), iov, iovlen, control, controllen, flags (+pad)
    private static final long MSG_IOV = 16;
    private static final long MSG_IOVLEN = 24;
    private static final long MSGHDR_BYTES = 56;
    private static final long IOVEC_BYTES = 16;

    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final long ERRNO_OFFSET = Linker.Option.captureStateLayout().byteOffset(MemoryLayout.PathElement.groupElement("errno"));

    private final Arena arena = Arena.ofShared();
    private final MemorySegment header = arena.allocate(MSGHDR_BYTES, 8);
    private final MemorySegment iovecs = arena.allocate(IOVEC_BYTES * MAX_IOV, 8);
    private final MemorySegment callState = arena.allocate(Linker.Option.captureStateLayout());
    private int fd;

    private NonBlockingSocket(int fd) {
        this.fd = fd;
        header.set(ValueLayout.ADDRESS, MSG_IOV, iovecs);
    }

    /**
     * A sender beside {@code channel}, or empty where its descriptor cannot be had (this JVM does not
     * open {@code sun.nio.ch} to the host, or the duplicate failed): the caller then waits as before.
     */
    public static Optional<NonBlockingSocket> of(SocketChannel channel) {
        int fd = GateSocket.descriptorOf(channel);
        if (fd < 0) {
            return Optional.empty();
        }
        try {
            // close-on-exec: a process the host starts must not keep a client's connection open
            return Optional.of(new NonBlockingSocket(Sys.fcntl(fd, F_DUPFD_CLOEXEC, 0)));
        } catch (SysException e) {
            return Optional.empty();
        }
    }

    /**
     * Sends from {@code bufs} (direct buffers) what the socket takes without waiting, advancing each
     * buffer's position past what was sent; returns the bytes sent, 0 when the socket buffer is full.
     *
     * @throws ClosedChannelException after {@link #close}
     * @throws SysException if the socket failed (the peer is gone), naming the errno
     */
    public synchronized long send(ByteBuffer[] bufs) throws IOException {
        if (fd < 0) {
            throw new ClosedChannelException();
        }
        long sent = 0;
        int first = 0;
        while (true) {
            while (first < bufs.length && !bufs[first].hasRemaining()) {
                first++;
            }
            if (first == bufs.length) {
                return sent;
            }
            int count = 0;
            long asked = 0;
            for (int i = first; i < bufs.length && count < MAX_IOV; i++) {
                ByteBuffer b = bufs[i];
                if (!b.isDirect()) {
                    throw new IllegalArgumentException("buffer " + i + " is not direct");
                }
                if (b.hasRemaining()) {
                    MemorySegment s = MemorySegment.ofBuffer(b); // from the buffer's position, remaining() long
                    iovecs.set(ValueLayout.ADDRESS, count * IOVEC_BYTES, s);
                    iovecs.set(ValueLayout.JAVA_LONG, count * IOVEC_BYTES + 8, s.byteSize());
                    asked += s.byteSize();
                    count++;
                }
            }
            header.set(ValueLayout.JAVA_LONG, MSG_IOVLEN, count);
            long n;
            try {
                n = (long) Sys.SENDMSG.invokeExact(callState, fd, header, MSG_DONTWAIT | MSG_NOSIGNAL);
            } catch (Throwable t) {
                throw new IOException("sendmsg failed: " + t, t);
            }
            if (n < 0) {
                int errno = callState.get(ValueLayout.JAVA_INT, ERRNO_OFFSET);
                if (errno == EINTR) {
                    continue;
                }
                if (errno == EAGAIN) {
                    return sent;
                }
                throw new SysException("sendmsg(fd " + fd + ", MSG_DONTWAIT)", errno);
            }
            sent += n;
            for (long left = n, i = first; left > 0; i++) {
                ByteBuffer b = bufs[(int) i];
                int take = (int) Math.min(b.remaining(), left);
                b.position(b.position() + take);
                left -= take;
            }
            if (n < asked) {
                return sent; // the socket took less than asked: its buffer is full now
            }
        }
    }

    /** This descriptor, to wait on (the socket's input too); -1 after {@link #close}. */
    public synchronized int fd() {
        return fd;
    }

    /** Closes this descriptor (the channel's own stays as it is); later sends fail. */
    @Override
    public synchronized void close() {
        if (fd < 0) {
            return;
        }
        Sys.closeQuietly(fd); // the descriptor is gone either way: close never leaves it open on Linux
        fd = -1;
        arena.close();
    }
}

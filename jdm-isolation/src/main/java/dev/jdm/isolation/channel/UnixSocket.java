package dev.jdm.isolation.channel;

import dev.jdm.isolation.sys.Sys;
import dev.jdm.isolation.sys.SysException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * An AF_UNIX socket through FFM, because the JDK's {@code SocketChannel} cannot pass descriptors:
 * {@code sendmsg}/{@code recvmsg} with SCM_RIGHTS carry memfds, opened files and eventfds to the
 * domain. Control sockets are SOCK_SEQPACKET, so that one {@code sendmsg} is one message with its
 * descriptors attached, and a message longer than the reader's limit is seen as truncated
 * ({@code MSG_TRUNC}) rather than read as the start of the next one.
 */
public final class UnixSocket implements AutoCloseable {
    static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int SO_PEERCRED = 17;
    private static final int MSG_CTRUNC = 0x08;
    private static final int MSG_TRUNC = 0x20;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int SUN_PATH_MAX = 107;
    static final short POLLIN = 0x1;

    // struct msghdr (LP64) and struct cmsghdr offsets
    private static final int MSGHDR_SIZE = 56;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int MSG_CONTROLLEN = 40;
    private static final int MSG_FLAGS = 48;
    private static final int CMSG_HDR = 16;

    private final int fd;
    private volatile boolean closed;

    private UnixSocket(int fd) {
        this.fd = fd;
    }

    /** Takes ownership of a descriptor received or inherited as a Unix socket. */
    public static UnixSocket adopt(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a descriptor: " + fd);
        }
        return new UnixSocket(fd);
    }

    /** A listening SOCK_SEQPACKET socket bound to {@code path} (which must not exist). */
    public static UnixSocket listen(Path path) throws IOException {
        int fd = (int) Sys.call("socket(AF_UNIX, SOCK_SEQPACKET)", Sys.SOCKET, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        try (Arena a = Arena.ofConfined()) {
            Sys.call("bind(" + path + ")", Sys.BIND, fd, address(a, path), 110);
            Sys.call("listen(" + path + ")", Sys.LISTEN, fd, 4);
            return new UnixSocket(fd);
        } catch (IOException | RuntimeException e) {
            Sys.closeQuietly(fd);
            throw e;
        }
    }

    /** A SOCK_SEQPACKET connection to the socket at {@code path}. */
    public static UnixSocket connect(Path path) throws IOException {
        int fd = (int) Sys.call("socket(AF_UNIX, SOCK_SEQPACKET)", Sys.SOCKET, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        try (Arena a = Arena.ofConfined()) {
            Sys.call("connect(" + path + ")", Sys.CONNECT, fd, address(a, path), 110);
            return new UnixSocket(fd);
        } catch (IOException | RuntimeException e) {
            Sys.closeQuietly(fd);
            throw e;
        }
    }

    /** A connected pair of {@code type} ({@link #SOCK_STREAM} or {@link #SOCK_SEQPACKET}). */
    public static UnixSocket[] pair(int type) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(ValueLayout.JAVA_INT, 2);
            Sys.call("socketpair(AF_UNIX)", Sys.SOCKETPAIR, AF_UNIX, type | SOCK_CLOEXEC, 0, fds);
            return new UnixSocket[] {new UnixSocket(fds.getAtIndex(ValueLayout.JAVA_INT, 0)), new UnixSocket(fds.getAtIndex(ValueLayout.JAVA_INT, 1))};
        }
    }

    private static MemorySegment address(Arena a, Path path) {
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        if (p.length > SUN_PATH_MAX) {
            throw new IllegalArgumentException("socket path is " + p.length + " bytes, at most " + SUN_PATH_MAX + ": " + path);
        }
        MemorySegment sa = a.allocate(110, 2);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(p, 0, sa, ValueLayout.JAVA_BYTE, 2, p.length);
        return sa;
    }

    /** Waits up to {@code timeoutMillis} (negative: forever) for something to read or accept. */
    public boolean pollIn(long timeoutMillis) throws SysException {
        return pollIn(fd, timeoutMillis);
    }

    static boolean pollIn(int fd, long timeoutMillis) throws SysException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pfd = a.allocate(8, 4);
            pfd.set(ValueLayout.JAVA_INT, 0, fd);
            pfd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
            int timeout = timeoutMillis < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, timeoutMillis);
            return Sys.call("poll(fd " + fd + ")", Sys.POLL, pfd, 1L, timeout) > 0;
        }
    }

    /** Accepts one connection within {@code timeoutMillis}. */
    public UnixSocket accept(long timeoutMillis) throws IOException {
        if (!pollIn(timeoutMillis)) {
            throw new SocketTimeoutException("no connection within " + timeoutMillis + " ms");
        }
        int c = (int) Sys.call("accept4(fd " + fd + ")", Sys.ACCEPT4, fd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
        return new UnixSocket(c);
    }

    /** Sends {@code data} as one message with {@code fds} attached (SCM_RIGHTS); the fds stay open here. */
    public void send(byte[] data, int... fds) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
            MemorySegment msg = header(a, buf, data.length);
            if (fds.length > 0) {
                long space = CMSG_HDR + align(4L * fds.length);
                MemorySegment control = a.allocate(space, 8);
                control.set(ValueLayout.JAVA_LONG, 0, CMSG_HDR + 4L * fds.length);
                control.set(ValueLayout.JAVA_INT, 8, SOL_SOCKET);
                control.set(ValueLayout.JAVA_INT, 12, SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) {
                    control.set(ValueLayout.JAVA_INT, CMSG_HDR + 4L * i, fds[i]);
                }
                msg.set(ValueLayout.ADDRESS, MSG_CONTROL, control);
                msg.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN, space);
            }
            long n = Sys.call("sendmsg(fd " + fd + ")", Sys.SENDMSG, fd, msg, MSG_NOSIGNAL);
            if (n != data.length) {
                throw new IOException("sendmsg(fd " + fd + ") sent " + n + " of " + data.length + " bytes");
            }
        }
    }

    /** One received message: its bytes, the descriptors that came with it, and whether either was cut. */
    public record Received(byte[] data, int[] fds, boolean truncated, boolean controlTruncated) {
        /** Closes the received descriptors (when the message is refused). */
        public void closeFds() {
            for (int f : fds) {
                Sys.closeQuietly(f);
            }
        }
    }

    /**
     * Receives one message of at most {@code maxBytes} with at most {@code maxFds} descriptors
     * (close-on-exec); null at end of stream. A longer message or more descriptors are reported as
     * truncated, never silently continued.
     */
    public Received receive(int maxBytes, int maxFds) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, maxBytes));
            MemorySegment msg = header(a, buf, maxBytes);
            long space = CMSG_HDR + align(4L * Math.max(1, maxFds));
            MemorySegment control = a.allocate(space, 8);
            msg.set(ValueLayout.ADDRESS, MSG_CONTROL, control);
            msg.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN, space);
            long n = Sys.call("recvmsg(fd " + fd + ")", Sys.RECVMSG, fd, msg, MSG_CMSG_CLOEXEC);
            int flags = msg.get(ValueLayout.JAVA_INT, MSG_FLAGS);
            int[] fds = fds(control, msg.get(ValueLayout.JAVA_LONG, MSG_CONTROLLEN));
            if (n == 0 && fds.length == 0) {
                return null;
            }
            byte[] data = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
            return new Received(data, fds, (flags & MSG_TRUNC) != 0, (flags & MSG_CTRUNC) != 0);
        }
    }

    private static int[] fds(MemorySegment control, long length) {
        int[] out = new int[0];
        long at = 0;
        while (at + CMSG_HDR <= length) {
            long len = control.get(ValueLayout.JAVA_LONG, at);
            if (len < CMSG_HDR || at + len > length) {
                break;
            }
            if (control.get(ValueLayout.JAVA_INT, at + 8) == SOL_SOCKET && control.get(ValueLayout.JAVA_INT, at + 12) == SCM_RIGHTS) {
                int n = (int) ((len - CMSG_HDR) / 4);
                int[] more = new int[out.length + n];
                System.arraycopy(out, 0, more, 0, out.length);
                for (int i = 0; i < n; i++) {
                    more[out.length + i] = control.get(ValueLayout.JAVA_INT, at + CMSG_HDR + 4L * i);
                }
                out = more;
            }
            at += align(len);
        }
        return out;
    }

    private static MemorySegment header(Arena a, MemorySegment buf, long length) {
        MemorySegment iov = a.allocate(16, 8);
        iov.set(ValueLayout.ADDRESS, 0, buf);
        iov.set(ValueLayout.JAVA_LONG, 8, length);
        MemorySegment msg = a.allocate(MSGHDR_SIZE, 8);
        msg.set(ValueLayout.ADDRESS, MSG_IOV, iov);
        msg.set(ValueLayout.JAVA_LONG, MSG_IOVLEN, 1L);
        return msg;
    }

    private static long align(long n) {
        return (n + 7) & ~7L;
    }

    /** The peer's credentials (SO_PEERCRED): the kernel's word, not the peer's. */
    public PeerCredentials peer() throws SysException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ucred = a.allocate(12, 4);
            MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, 12);
            Sys.call("getsockopt(SO_PEERCRED)", Sys.GETSOCKOPT, fd, SOL_SOCKET, SO_PEERCRED, ucred, len);
            return new PeerCredentials(ucred.get(ValueLayout.JAVA_INT, 0), ucred.get(ValueLayout.JAVA_INT, 4), ucred.get(ValueLayout.JAVA_INT, 8));
        }
    }

    /** pid, uid and gid of the peer process when it connected. */
    public record PeerCredentials(int pid, int uid, int gid) {}

    public int fd() {
        return fd;
    }

    @Override
    public void close() throws SysException {
        if (!closed) {
            closed = true;
            Sys.close(fd);
        }
    }
}

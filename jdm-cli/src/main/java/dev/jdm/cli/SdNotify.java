package dev.jdm.cli;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * sd_notify(3) without libsystemd: each state ({@code READY=1}, {@code STOPPING=1}, ...) is one
 * datagram to the AF_UNIX socket named by {@code $NOTIFY_SOCKET}, a path or, when it starts with
 * {@code @}, an abstract name (sd_notify's own rule). The JDK's Unix-domain channels are stream-only
 * and know no abstract names, so the socket is made through FFM. Without {@code $NOTIFY_SOCKET}
 * (not under systemd, or {@code NotifyAccess=none}) every call does nothing.
 */
final class SdNotify {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_NOSIGNAL = 0x4000;
    /** struct sockaddr_un: sa_family_t sun_family, then char sun_path[108]. */
    private static final int SUN_PATH_OFFSET = 2;
    private static final int SUN_PATH_SIZE = 108;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final VarHandle ERRNO_VALUE = Linker.Option.captureStateLayout()
            .varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = function("socket", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), ERRNO);
    private static final MethodHandle SENDTO = function("sendto", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), ERRNO);
    private static final MethodHandle CLOSE = function("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final String socket;

    private SdNotify(String socket) {
        this.socket = socket;
    }

    /** The notifier {@code $NOTIFY_SOCKET} asks for, or one that does nothing. */
    static SdNotify fromEnvironment() {
        String s = System.getenv("NOTIFY_SOCKET");
        return new SdNotify(s == null || s.isBlank() ? null : s);
    }

    /** A notifier for {@code socket} ({@code /path} or {@code @abstract}), for tests. */
    static SdNotify to(String socket) {
        return new SdNotify(socket);
    }

    boolean enabled() {
        return socket != null;
    }

    /**
     * Sends {@code state}, newline-separated assignments as sd_notify takes them.
     *
     * @throws IOException naming the socket and the errno if the datagram could not be sent
     */
    void send(String state) throws IOException {
        if (socket == null) {
            return;
        }
        byte[] name = socket.getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH_SIZE || name.length < 2) {
            throw new IOException("NOTIFY_SOCKET=" + socket + ": not a socket name sd_notify can use (1 to 107 bytes)");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(SUN_PATH_OFFSET + SUN_PATH_SIZE);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(name, 0, addr, ValueLayout.JAVA_BYTE, SUN_PATH_OFFSET, name.length);
            boolean abstractName = name[0] == '@';
            if (abstractName) {
                addr.set(ValueLayout.JAVA_BYTE, SUN_PATH_OFFSET, (byte) 0);
            }
            // an abstract name is exactly its bytes; a path ends at its NUL, which the zeroed buffer has
            int addrLen = SUN_PATH_OFFSET + name.length + (abstractName ? 0 : 1);
            byte[] text = state.getBytes(StandardCharsets.UTF_8);
            MemorySegment message = arena.allocateFrom(ValueLayout.JAVA_BYTE, text);
            MemorySegment errno = arena.allocate(Linker.Option.captureStateLayout());
            int fd = (int) SOCKET.invokeExact(errno, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw failure("socket", errno);
            }
            try {
                long sent = (long) SENDTO.invokeExact(errno, fd, message, (long) text.length, MSG_NOSIGNAL, addr, addrLen);
                if (sent < 0) {
                    throw failure("sendto", errno);
                }
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private IOException failure(String call, MemorySegment errno) {
        return new IOException("sd_notify to " + socket + ": " + call + " failed, errno " + (int) ERRNO_VALUE.get(errno, 0L));
    }

    private static MethodHandle function(String name, FunctionDescriptor fd, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd, options);
    }
}

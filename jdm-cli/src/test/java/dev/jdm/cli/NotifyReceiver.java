package dev.jdm.cli;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The test's own end of the notify protocol, as systemd has it: an AF_UNIX datagram socket bound
 * to a path or an abstract name, read without blocking. Written out apart from {@link SdNotify}
 * (its own constants and address layout), so a mistake in one is not repeated in the other.
 */
final class NotifyReceiver implements AutoCloseable {
    private static final Linker C = Linker.nativeLinker();
    private static final MethodHandle SOCKET = c("socket", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle BIND = c("bind", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle RECV = c("recv", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = c("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final int fd;
    private final String name;

    /** Binds {@code name}: a path, or {@code @name} for the abstract namespace. */
    NotifyReceiver(String name) throws Throwable {
        this.name = name;
        this.fd = (int) SOCKET.invokeExact(1 /* AF_UNIX */, 2 /* SOCK_DGRAM */, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket failed");
        }
        try (Arena arena = Arena.ofConfined()) {
            byte[] path = name.getBytes(StandardCharsets.UTF_8);
            MemorySegment sun = arena.allocate(110); // sun_family (2 bytes) + sun_path[108]
            sun.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            for (int i = 0; i < path.length; i++) {
                sun.set(ValueLayout.JAVA_BYTE, 2 + i, i == 0 && path[0] == '@' ? 0 : path[i]);
            }
            int len = path[0] == '@' ? 2 + path.length : 110;
            if ((int) BIND.invokeExact(fd, sun, len) != 0) {
                throw new IllegalStateException("bind " + name + " failed");
            }
        }
    }

    String name() {
        return name;
    }

    /** Every datagram that arrives within {@code millis}, waiting until {@code count} have. */
    List<String> receive(int count, long millis) throws Throwable {
        List<String> got = new ArrayList<>();
        long deadline = System.currentTimeMillis() + millis;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096);
            while (got.size() < count && System.currentTimeMillis() < deadline) {
                long n = (long) RECV.invokeExact(fd, buf, 4096L, 0x40 /* MSG_DONTWAIT */);
                if (n > 0) {
                    got.add(new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
                } else {
                    Thread.sleep(20);
                }
            }
        }
        return got;
    }

    @Override
    public void close() {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static MethodHandle c(String fn, FunctionDescriptor d) {
        return C.downcallHandle(C.defaultLookup().find(fn).orElseThrow(), d);
    }
}

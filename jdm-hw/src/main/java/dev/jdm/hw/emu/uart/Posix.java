package dev.jdm.hw.emu.uart;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc calls a pseudo-terminal needs, through FFM, with errno captured. Linux constants
 * (x86-64 and aarch64 share them). Each call that can fail takes an errno slot from
 * {@link #errnoSlot}; a slot is used by one thread at a time.
 */
final class Posix {
    static final int O_RDWR = 02, O_NOCTTY = 0400, O_NONBLOCK = 04000, O_CLOEXEC = 02000000;
    static final int F_GETFL = 3, F_SETFL = 4, TCSANOW = 0;
    static final short POLLIN = 0x1, POLLERR = 0x8, POLLHUP = 0x10;
    static final int EINTR = 4, EIO = 5, EAGAIN = 11;
    /** glibc's struct termios is 60 bytes; cfmakeraw and tcsetattr get room to spare. */
    static final long TERMIOS_BYTES = 128;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle POSIX_OPENPT = failing("posix_openpt", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GRANTPT = failing("grantpt", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle UNLOCKPT = failing("unlockpt", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle PTSNAME = plain("ptsname", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle OPEN = failing("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = plain("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = failing("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = failing("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle PPOLL = failing("ppoll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
    private static final MethodHandle EVENTFD = failing("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FCNTL = failing("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle TCGETATTR = failing("tcgetattr", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle TCSETATTR = failing("tcsetattr", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle CFMAKERAW = plain("cfmakeraw", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle STRERROR = plain("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Posix() {}

    static MemorySegment errnoSlot(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    static int errno(MemorySegment slot) {
        return (int) ERRNO.get(slot, 0L);
    }

    static int posixOpenpt(MemorySegment e, int flags) throws IOException {
        return (int) check(call(() -> (int) POSIX_OPENPT.invokeExact(e, flags)), e, "posix_openpt");
    }

    static void grantpt(MemorySegment e, int fd) throws IOException {
        check(call(() -> (int) GRANTPT.invokeExact(e, fd)), e, "grantpt");
    }

    static void unlockpt(MemorySegment e, int fd) throws IOException {
        check(call(() -> (int) UNLOCKPT.invokeExact(e, fd)), e, "unlockpt");
    }

    /** The slave's path; ptsname's buffer is static, so callers are serialised here. */
    static synchronized String ptsname(int fd) throws IOException {
        MemorySegment p = (MemorySegment) call(() -> (MemorySegment) PTSNAME.invokeExact(fd));
        if (p.address() == 0) {
            throw new IOException("ptsname failed for pty master fd " + fd);
        }
        return p.reinterpret(4096).getString(0);
    }

    static int open(MemorySegment e, String path, int flags) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocateFrom(path);
            return (int) check(call(() -> (int) OPEN.invokeExact(e, p, flags, 0)), e, "open " + path);
        }
    }

    static void close(int fd) {
        if (fd >= 0) {
            call(() -> (int) CLOSE.invokeExact(fd));
        }
    }

    /** read(2); -1 with the errno in {@code e} on failure. */
    static long read(MemorySegment e, int fd, MemorySegment buf, long n) {
        return (long) call(() -> (long) READ.invokeExact(e, fd, buf, n));
    }

    /** write(2); -1 with the errno in {@code e} on failure. */
    static long write(MemorySegment e, int fd, MemorySegment buf, long n) {
        return (long) call(() -> (long) WRITE.invokeExact(e, fd, buf, n));
    }

    /** ppoll(2) without a signal mask; -1 with the errno in {@code e} on failure. */
    static int ppoll(MemorySegment e, MemorySegment fds, long nfds, MemorySegment timespec) {
        return (int) call(() -> (int) PPOLL.invokeExact(e, fds, nfds, timespec, MemorySegment.NULL));
    }

    static int eventfd(MemorySegment e, int flags) throws IOException {
        return (int) check(call(() -> (int) EVENTFD.invokeExact(e, 0, flags)), e, "eventfd");
    }

    static void setNonBlocking(MemorySegment e, int fd) throws IOException {
        int fl = (int) check(call(() -> (int) FCNTL.invokeExact(e, fd, F_GETFL, 0)), e, "fcntl(F_GETFL)");
        check(call(() -> (int) FCNTL.invokeExact(e, fd, F_SETFL, fl | O_NONBLOCK)), e, "fcntl(F_SETFL)");
    }

    /** Raw mode (cfmakeraw): no echo, no line editing, no signals, no CR/NL translation, 8 bits. */
    static void makeRaw(MemorySegment e, int fd) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(TERMIOS_BYTES, 8);
            check(call(() -> (int) TCGETATTR.invokeExact(e, fd, t)), e, "tcgetattr");
            call(() -> {
                CFMAKERAW.invokeExact(t);
                return 0;
            });
            check(call(() -> (int) TCSETATTR.invokeExact(e, fd, TCSANOW, t)), e, "tcsetattr");
        }
    }

    /** The C library's text for an errno value. */
    static String strerror(int errno) {
        MemorySegment p = (MemorySegment) call(() -> (MemorySegment) STRERROR.invokeExact(errno));
        return p.address() == 0 ? "errno " + errno : p.reinterpret(256).getString(0) + " (errno " + errno + ")";
    }

    private static long check(Object rc, MemorySegment e, String what) throws IOException {
        long v = ((Number) rc).longValue();
        if (v < 0) {
            throw new IOException(what + " failed: " + strerror(errno(e)));
        }
        return v;
    }

    @FunctionalInterface
    private interface NativeCall {
        Object call() throws Throwable;
    }

    private static Object call(NativeCall c) {
        try {
            return c.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static MethodHandle failing(String name, FunctionDescriptor fd, Linker.Option... more) {
        Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(more, 0, options, 1, more.length);
        return LINKER.downcallHandle(find(name), fd, options);
    }

    private static MethodHandle plain(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(find(name), fd);
    }

    private static MemorySegment find(String name) {
        return LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }
}

package dev.jdm.isolation.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc and raw system calls of the isolation kit, through FFM, each capturing {@code errno} so
 * that a failure is reported as the call and its errno ({@link SysException}). Linux x86-64 and
 * aarch64 (LP64, the generic syscall numbers of the calls after 4.x are shared by both).
 *
 * <p>Cold calls go through {@link #call}; the two on the doorbell path ({@link #read}, {@link
 * #write}) use exact invocations because they run once per notification.
 */
public final class Sys {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
    private static final ValueLayout A = ValueLayout.ADDRESS;

    public static final MethodHandle MEMFD_CREATE = fn("memfd_create", FunctionDescriptor.of(I, A, I));
    public static final MethodHandle FTRUNCATE = fn("ftruncate", FunctionDescriptor.of(I, I, L));
    public static final MethodHandle FCNTL = fn("fcntl", FunctionDescriptor.of(I, I, I, I), 2);
    public static final MethodHandle MMAP = fn("mmap", FunctionDescriptor.of(A, A, L, I, I, I, L));
    public static final MethodHandle MUNMAP = fn("munmap", FunctionDescriptor.of(I, A, L));
    public static final MethodHandle OPEN = fn("open", FunctionDescriptor.of(I, A, I, I), 2);
    public static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(I, I));
    public static final MethodHandle READ = fn("read", FunctionDescriptor.of(L, I, A, L));
    public static final MethodHandle WRITE = fn("write", FunctionDescriptor.of(L, I, A, L));
    public static final MethodHandle PREAD = fn("pread", FunctionDescriptor.of(L, I, A, L, L));
    public static final MethodHandle LSEEK = fn("lseek", FunctionDescriptor.of(L, I, L, I));
    public static final MethodHandle SOCKET = fn("socket", FunctionDescriptor.of(I, I, I, I));
    public static final MethodHandle SOCKETPAIR = fn("socketpair", FunctionDescriptor.of(I, I, I, I, A));
    public static final MethodHandle BIND = fn("bind", FunctionDescriptor.of(I, I, A, I));
    public static final MethodHandle LISTEN = fn("listen", FunctionDescriptor.of(I, I, I));
    public static final MethodHandle ACCEPT4 = fn("accept4", FunctionDescriptor.of(I, I, A, A, I));
    public static final MethodHandle CONNECT = fn("connect", FunctionDescriptor.of(I, I, A, I));
    public static final MethodHandle SENDMSG = fn("sendmsg", FunctionDescriptor.of(L, I, A, I));
    public static final MethodHandle RECVMSG = fn("recvmsg", FunctionDescriptor.of(L, I, A, I));
    public static final MethodHandle GETSOCKOPT = fn("getsockopt", FunctionDescriptor.of(I, I, I, I, A, A));
    public static final MethodHandle POLL = fn("poll", FunctionDescriptor.of(I, A, L, I));
    public static final MethodHandle EVENTFD = fn("eventfd", FunctionDescriptor.of(I, I, I));
    public static final MethodHandle PRCTL = fn("prctl", FunctionDescriptor.of(I, I, L, L, L, L), 1);
    public static final MethodHandle SETGROUPS = fn("setgroups", FunctionDescriptor.of(I, L, A));
    public static final MethodHandle SETRESGID = fn("setresgid", FunctionDescriptor.of(I, I, I, I));
    public static final MethodHandle SETRESUID = fn("setresuid", FunctionDescriptor.of(I, I, I, I));
    public static final MethodHandle SETRLIMIT = fn("setrlimit", FunctionDescriptor.of(I, I, A));
    public static final MethodHandle GETRLIMIT = fn("getrlimit", FunctionDescriptor.of(I, I, A));
    public static final MethodHandle SYSCALL4 = fn("syscall", FunctionDescriptor.of(L, L, L, L, L), 1);
    public static final MethodHandle SYSCALL5 = fn("syscall", FunctionDescriptor.of(L, L, L, L, L, L), 1);
    public static final MethodHandle IOCTL = fn("ioctl", FunctionDescriptor.of(I, I, L, A), 2);
    public static final MethodHandle CLOSE_RANGE = fn("close_range", FunctionDescriptor.of(I, I, I, I));
    public static final MethodHandle EXECVE = fn("execve", FunctionDescriptor.of(I, A, A, A));
    public static final MethodHandle GETEUID = fn("geteuid", FunctionDescriptor.of(I));
    public static final MethodHandle GETUID = fn("getuid", FunctionDescriptor.of(I));
    public static final MethodHandle GETGID = fn("getgid", FunctionDescriptor.of(I));
    public static final MethodHandle GETPID = fn("getpid", FunctionDescriptor.of(I));

    private Sys() {}

    private static MethodHandle fn(String name, FunctionDescriptor fd) {
        return fn(name, fd, -1);
    }

    private static MethodHandle fn(String name, FunctionDescriptor fd, int firstVariadic) {
        MemorySegment addr = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        Linker.Option capture = Linker.Option.captureCallState("errno");
        return firstVariadic < 0
                ? LINKER.downcallHandle(addr, fd, capture)
                : LINKER.downcallHandle(addr, fd, capture, Linker.Option.firstVariadicArg(firstVariadic));
    }

    /**
     * Calls {@code handle} with the errno capture prepended; returns its result as a long (an address
     * for pointer results) and throws {@link SysException} naming {@code what} when it is -1.
     */
    public static long call(String what, MethodHandle handle, Object... args) throws SysException {
        MemorySegment state = STATE.get();
        Object[] full = new Object[args.length + 1];
        full[0] = state;
        System.arraycopy(args, 0, full, 1, args.length);
        Object r;
        try {
            r = handle.invokeWithArguments(full);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(what, t);
        }
        long rc = switch (r) {
            case Integer i -> i;
            case Long l -> l;
            case MemorySegment m -> m.address();
            default -> throw new IllegalStateException(what + " returned " + r);
        };
        if (rc == -1) {
            throw new SysException(what, errno(state));
        }
        return rc;
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** read(2) of up to {@code length} bytes into {@code buf}; -1 on error is thrown. */
    public static long read(int fd, MemorySegment buf, long length) throws SysException {
        MemorySegment state = STATE.get();
        long n;
        try {
            n = (long) READ.invokeExact(state, fd, buf, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (n < 0) {
            throw new SysException("read(fd " + fd + ")", errno(state));
        }
        return n;
    }

    /** write(2) of {@code length} bytes from {@code buf}. */
    public static long write(int fd, MemorySegment buf, long length) throws SysException {
        MemorySegment state = STATE.get();
        long n;
        try {
            n = (long) WRITE.invokeExact(state, fd, buf, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (n < 0) {
            throw new SysException("write(fd " + fd + ")", errno(state));
        }
        return n;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** close(2); errors are thrown (EBADF means a descriptor was closed twice). */
    public static void close(int fd) throws SysException {
        call("close(fd " + fd + ")", CLOSE, fd);
    }

    /** close(2) for clean-up paths, where a second error must not hide the first. */
    public static void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                close(fd);
            } catch (SysException ignored) {
                // The descriptor is gone either way; the caller already reports what went wrong.
            }
        }
    }

    /** open(2) of {@code path} with {@code flags} (O_CLOEXEC is added) and {@code mode}. */
    public static int open(String path, int flags, int mode) throws SysException {
        try (Arena arena = Arena.ofConfined()) {
            return (int) call("open(" + path + ")", OPEN, arena.allocateFrom(path), flags | O_CLOEXEC, mode);
        }
    }

    /** pread(2) into {@code buf}. */
    public static long pread(int fd, MemorySegment buf, long length, long offset) throws SysException {
        return call("pread(fd " + fd + ")", PREAD, fd, buf, length, offset);
    }

    /** The size of the file behind {@code fd}, by seeking to its end (pread ignores the position). */
    public static long fileSize(int fd) throws SysException {
        return call("lseek(fd " + fd + ", SEEK_END)", LSEEK, fd, 0L, SEEK_END);
    }

    /** fcntl(2) with an int argument. */
    public static int fcntl(int fd, int cmd, int arg) throws SysException {
        return (int) call("fcntl(fd " + fd + ", " + cmd + ")", FCNTL, fd, cmd, arg);
    }

    /** A raw system call with up to three long arguments. */
    public static long syscall(String what, long number, long a, long b, long c) throws SysException {
        return call(what, SYSCALL4, number, a, b, c);
    }

    /** A raw system call with four long arguments. */
    public static long syscall(String what, long number, long a, long b, long c, long d) throws SysException {
        return call(what, SYSCALL5, number, a, b, c, d);
    }

    public static int geteuid() throws SysException {
        return (int) call("geteuid", GETEUID);
    }

    public static int getuid() throws SysException {
        return (int) call("getuid", GETUID);
    }

    public static int getgid() throws SysException {
        return (int) call("getgid", GETGID);
    }

    public static int getpid() throws SysException {
        return (int) call("getpid", GETPID);
    }

    // Linux constants, identical on x86-64 and aarch64 unless noted.
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_PATH = 010000000;
    public static final int SEEK_END = 2;
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int FD_CLOEXEC = 1;
    public static final int F_ADD_SEALS = 1033;
    public static final int F_GET_SEALS = 1034;
    public static final int F_SEAL_SEAL = 1;
    public static final int F_SEAL_SHRINK = 2;
    public static final int F_SEAL_GROW = 4;

    /** Syscall numbers from the generic table (x86-64 uses the same numbers for these). */
    public static final long SYS_PIDFD_OPEN = 434;
    public static final long SYS_LANDLOCK_CREATE_RULESET = 444;
    public static final long SYS_LANDLOCK_ADD_RULE = 445;
    public static final long SYS_LANDLOCK_RESTRICT_SELF = 446;
}

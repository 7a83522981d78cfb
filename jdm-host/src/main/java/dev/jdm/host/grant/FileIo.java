package dev.jdm.host.grant;

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
 * The file system calls behind granted files, through FFM with errno captured: open, close,
 * pread, pwrite, fsync, fdatasync, fallocate, lseek. Linux x86-64 and aarch64 constants.
 * Each call returns its result, or {@code -errno} on failure.
 */
final class FileIo {
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;
    /** O_DIRECT differs by architecture (asm-generic 040000, arm64 0200000). */
    static final int O_DIRECT = System.getProperty("os.arch").equals("aarch64") ? 0x10000 : 0x4000;
    static final int FALLOC_FL_KEEP_SIZE = 1;
    static final int FALLOC_FL_PUNCH_HOLE = 2;
    static final int SEEK_END = 2;
    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;
    static final int ENXIO = 6;
    static final int EINTR = 4;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final MethodHandle OPEN = handle("open", FunctionDescriptor.of(INT, ValueLayout.ADDRESS, INT, INT),
            CAPTURE, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(INT, INT), CAPTURE);
    private static final MethodHandle PREAD = handle("pread", FunctionDescriptor.of(LONG, INT, ValueLayout.ADDRESS, LONG, LONG), CAPTURE);
    private static final MethodHandle PWRITE = handle("pwrite", FunctionDescriptor.of(LONG, INT, ValueLayout.ADDRESS, LONG, LONG), CAPTURE);
    private static final MethodHandle FSYNC = handle("fsync", FunctionDescriptor.of(INT, INT), CAPTURE);
    private static final MethodHandle FDATASYNC = handle("fdatasync", FunctionDescriptor.of(INT, INT), CAPTURE);
    private static final MethodHandle FALLOCATE = handle("fallocate", FunctionDescriptor.of(INT, INT, INT, LONG, LONG), CAPTURE);
    private static final MethodHandle LSEEK = handle("lseek", FunctionDescriptor.of(LONG, INT, LONG, INT), CAPTURE);

    private FileIo() {}

    private static MethodHandle handle(String name, FunctionDescriptor fd, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name)), fd, options);
    }

    private static long result(long rc, MemorySegment state) {
        return rc < 0 ? -(int) ERRNO.get(state, 0L) : rc;
    }

    static int open(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            MemorySegment p = a.allocateFrom(path);
            while (true) {
                int rc = (int) OPEN.invokeExact(state, p, flags | O_CLOEXEC, 0);
                long r = result(rc, state);
                if (r != -EINTR) {
                    return (int) r;
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            return (int) result((int) CLOSE.invokeExact(state, fd), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** pread into a native segment; retried on EINTR. */
    static long pread(int fd, MemorySegment buf, long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            while (true) {
                long r = result((long) PREAD.invokeExact(state, fd, buf, buf.byteSize(), offset), state);
                if (r != -EINTR) {
                    return r;
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** pwrite from a native segment; retried on EINTR. */
    static long pwrite(int fd, MemorySegment buf, long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            while (true) {
                long r = result((long) PWRITE.invokeExact(state, fd, buf, buf.byteSize(), offset), state);
                if (r != -EINTR) {
                    return r;
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int fsync(int fd, boolean dataOnly) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            int rc = dataOnly ? (int) FDATASYNC.invokeExact(state, fd) : (int) FSYNC.invokeExact(state, fd);
            return (int) result(rc, state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int fallocate(int fd, int mode, long offset, long length) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            return (int) result((int) FALLOCATE.invokeExact(state, fd, mode, offset, length), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long sizeOf(int fd) {
        return lseek(fd, 0, SEEK_END);
    }

    /** lseek(2): the new offset, or -errno. */
    static long lseek(int fd, long offset, int whence) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            return result((long) LSEEK.invokeExact(state, fd, offset, whence), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** A short name for common errnos. */
    static String name(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 5 -> "EIO";
            case 9 -> "EBADF";
            case 13 -> "EACCES";
            case 21 -> "EISDIR";
            case 22 -> "EINVAL";
            case 28 -> "ENOSPC";
            case 30 -> "EROFS";
            case 95 -> "EOPNOTSUPP";
            default -> "errno " + errno;
        };
    }
}

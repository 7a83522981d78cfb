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
 * The system calls behind granted streams, through FFM with errno captured: read, write, poll and
 * eventfd (the wake-up a close sends to a read that waits). Each returns its result or
 * {@code -errno}; EINTR is retried.
 */
final class StreamIo {
    static final int O_NONBLOCK = 04000;
    static final int EAGAIN = 11;
    static final short POLLIN = 1;
    private static final int EINTR = 4;
    private static final int EFD_CLOEXEC = 02000000;
    private static final int EFD_NONBLOCK = 04000;
    /** struct pollfd: int fd; short events; short revents. */
    static final StructLayout POLLFD = MemoryLayout.structLayout(ValueLayout.JAVA_INT.withName("fd"),
            ValueLayout.JAVA_SHORT.withName("events"), ValueLayout.JAVA_SHORT.withName("revents"));

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    private static final MethodHandle READ = handle("read", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle WRITE = handle("write", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle POLL = handle("poll", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle EVENTFD = handle("eventfd", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT));

    private StreamIo() {}

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name)), fd, CAPTURE);
    }

    private static long result(long rc, MemorySegment state) {
        return rc < 0 ? -(int) ERRNO.get(state, 0L) : rc;
    }

    /** read(2) into a native segment. */
    static long read(int fd, MemorySegment buf) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            while (true) {
                long r = result((long) READ.invokeExact(state, fd, buf, buf.byteSize()), state);
                if (r != -EINTR) {
                    return r;
                }
            }
        } catch (Throwable t) {
            throw FileIo.rethrow(t);
        }
    }

    /** Adds one to an eventfd's counter, waking whoever polls it. */
    static long signal(int eventFd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            MemorySegment one = a.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            return result((long) WRITE.invokeExact(state, eventFd, one, 8L), state);
        } catch (Throwable t) {
            throw FileIo.rethrow(t);
        }
    }

    /** A non-blocking eventfd, or -errno. */
    static int eventFd() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            return (int) result((int) EVENTFD.invokeExact(state, 0, EFD_CLOEXEC | EFD_NONBLOCK), state);
        } catch (Throwable t) {
            throw FileIo.rethrow(t);
        }
    }

    /**
     * Waits without a timeout until {@code fd} is readable (or hung up) or {@code wake} is signalled.
     *
     * @return 1 if woken by {@code wake}, 0 if {@code fd} is ready, or -errno
     */
    static int await(int fd, int wake) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            MemorySegment fds = a.allocate(POLLFD, 2);
            for (int i = 0; i < 2; i++) {
                MemorySegment p = fds.asSlice(i * POLLFD.byteSize(), POLLFD);
                p.set(ValueLayout.JAVA_INT, 0, i == 0 ? fd : wake);
                p.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
            }
            while (true) {
                long r = result((int) POLL.invokeExact(state, fds, 2L, -1), state);
                if (r == -EINTR) {
                    continue;
                }
                if (r < 0) {
                    return (int) r;
                }
                boolean woken = fds.get(ValueLayout.JAVA_SHORT, POLLFD.byteSize() + 6) != 0;
                return woken ? 1 : 0;
            }
        } catch (Throwable t) {
            throw FileIo.rethrow(t);
        }
    }
}

package dev.jdm.host.sys;

import dev.jdm.isolation.sys.SysException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * One thread's epoll instance, for waiting on a few descriptors at once: each is watched for input
 * under a token (one bit), and {@link #await} returns the tokens that are ready. A descriptor watched
 * edge-triggered reports each new event once and need not be read: a doorbell that another thread
 * consumes (an eventfd) can be watched this way without taking its count away from that thread.
 *
 * <p>epoll keeps no descriptor open: one closed elsewhere simply leaves the set. Owned by one
 * thread; {@link #close} releases it.
 */
public final class EpollSet implements AutoCloseable {
    private static final int EPOLLIN = 0x001;
    private static final int EPOLLET = 1 << 31;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLL_CLOEXEC = 02000000;
    private static final int EINTR = 4;
    private static final int MAX_EVENTS = 8;
    /** struct epoll_event is packed on x86-64 (events u32, data u64: 12 bytes), naturally aligned elsewhere (16). */
    private static final boolean PACKED = "amd64".equals(System.getProperty("os.arch")) || "x86_64".equals(System.getProperty("os.arch"));
    private static final long EVENT_BYTES = PACKED ? 12 : 16;
    private static final long DATA_OFFSET = PACKED ? 4 : 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final long ERRNO_OFFSET = Linker.Option.captureStateLayout().byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle CREATE = handle("epoll_create1", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CTL = handle("epoll_ctl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle WAIT = handle("epoll_wait", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final Arena arena = Arena.ofShared();
    private final MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
    private final MemorySegment event = arena.allocate(EVENT_BYTES, 8);
    private final MemorySegment events = arena.allocate(EVENT_BYTES * MAX_EVENTS, 8);
    private final int epfd;

    private EpollSet(int epfd) {
        this.epfd = epfd;
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name)), fd, ERRNO);
    }

    /** A new, empty set (close-on-exec). */
    public static EpollSet create() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Linker.Option.captureStateLayout());
            int fd = (int) CREATE.invokeExact(st, EPOLL_CLOEXEC);
            if (fd < 0) {
                throw new SysException("epoll_create1", st.get(ValueLayout.JAVA_INT, ERRNO_OFFSET));
            }
            return new EpollSet(fd);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("epoll_create1", t);
        }
    }

    /** Watches {@code fd} for input under {@code token} (a single bit), edge-triggered if {@code edge}. */
    public void watch(int fd, int token, boolean edge) throws SysException {
        event.set(ValueLayout.JAVA_INT, 0, EPOLLIN | (edge ? EPOLLET : 0));
        event.set(ValueLayout.JAVA_LONG_UNALIGNED, DATA_OFFSET, token);
        if (ctl(EPOLL_CTL_ADD, fd) < 0) {
            throw new SysException("epoll_ctl(ADD fd " + fd + ")", errno());
        }
    }

    /** Stops watching {@code fd}; nothing happens if it is not watched (or was closed meanwhile). */
    public void unwatch(int fd) {
        ctl(EPOLL_CTL_DEL, fd);
    }

    private int ctl(int op, int fd) {
        try {
            return (int) CTL.invokeExact(state, epfd, op, fd, event);
        } catch (Throwable t) {
            throw new IllegalStateException("epoll_ctl", t);
        }
    }

    /**
     * Waits at most {@code timeoutMillis} (negative: no limit) for a watched descriptor; returns the
     * OR of the ready ones' tokens, 0 on time-out. A hang-up or an error counts as ready: the read that
     * follows reports it.
     */
    public int await(long timeoutMillis) throws SysException {
        int timeout = timeoutMillis < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, timeoutMillis);
        int n;
        do {
            try {
                n = (int) WAIT.invokeExact(state, epfd, events, MAX_EVENTS, timeout);
            } catch (Throwable t) {
                throw new IllegalStateException("epoll_wait", t);
            }
        } while (n < 0 && errno() == EINTR);
        if (n < 0) {
            throw new SysException("epoll_wait", errno());
        }
        int ready = 0;
        for (int i = 0; i < n; i++) {
            ready |= (int) events.get(ValueLayout.JAVA_LONG_UNALIGNED, i * EVENT_BYTES + DATA_OFFSET);
        }
        return ready;
    }

    private int errno() {
        return state.get(ValueLayout.JAVA_INT, ERRNO_OFFSET);
    }

    @Override
    public void close() {
        try {
            int ignored = (int) CLOSE.invokeExact(state, epfd);
        } catch (Throwable t) {
            throw new IllegalStateException("close", t);
        }
        arena.close();
    }
}

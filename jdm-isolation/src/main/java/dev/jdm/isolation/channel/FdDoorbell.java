package dev.jdm.isolation.channel;

import dev.jdm.isolation.ring.Doorbell;
import dev.jdm.isolation.sys.Sys;
import dev.jdm.isolation.sys.SysException;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A {@link Doorbell} on a descriptor: an {@code eventfd} (8-byte counter, the default) or one end of
 * a stream socket pair (a byte per ring). Both block a platform thread in {@code read} while asleep.
 *
 * <p>Why eventfd by default: a ring is one 8-byte {@code write}, many rings coalesce into one counter
 * (never a backlog of bytes), it has no buffer to fill, and it keeps doorbells off the control socket
 * so that no reader has to tell doorbells from control frames. It needs one eventfd per direction;
 * the socket variant needs one pair for both and notices a dead peer (end of stream), which an eventfd
 * cannot. {@code RingRoundTripBench} measures both.
 */
public final class FdDoorbell implements Doorbell {
    /** What the descriptor is. */
    public enum Kind { EVENTFD, SOCKET }

    private static final int EFD_CLOEXEC = 02000000;
    private final int fd;
    private final Kind kind;
    private final MemorySegment ringBuf;
    private final MemorySegment waitBuf;
    private final Arena arena = Arena.ofShared();

    private FdDoorbell(int fd, Kind kind) {
        this.fd = fd;
        this.kind = kind;
        this.ringBuf = arena.allocate(8, 8);
        this.waitBuf = arena.allocate(64, 8);
        ringBuf.set(ValueLayout.JAVA_LONG, 0, 1L);
    }

    /** A new eventfd doorbell (close-on-exec). */
    public static FdDoorbell eventfd() throws SysException {
        return new FdDoorbell((int) Sys.call("eventfd", Sys.EVENTFD, 0, EFD_CLOEXEC), Kind.EVENTFD);
    }

    /** Takes ownership of a received or created descriptor of {@code kind}. */
    public static FdDoorbell adopt(int fd, Kind kind) {
        return new FdDoorbell(fd, kind);
    }

    @Override
    public void ring() throws IOException {
        Sys.write(fd, ringBuf, kind == Kind.EVENTFD ? 8 : 1);
    }

    @Override
    public boolean await(long timeoutMillis) throws IOException {
        if (timeoutMillis >= 0 && !UnixSocket.pollIn(fd, timeoutMillis)) {
            return false;
        }
        long n = Sys.read(fd, waitBuf, kind == Kind.EVENTFD ? 8 : 64);
        if (n == 0) {
            throw new EOFException("doorbell fd " + fd + ": the peer closed its end");
        }
        return true;
    }

    public int fd() {
        return fd;
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public void close() throws IOException {
        Sys.close(fd);
        arena.close();
    }
}

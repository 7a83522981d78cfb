package dev.jdm.hw.emu.uart;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A serial line that is a pseudo-terminal: the UART drives the master, and whoever opens
 * {@link #slavePath()} (a terminal program, {@code screen}, a test) is the far side. The slave is
 * in raw mode. The line keeps a slave descriptor of its own open, so the master never sees a hang-up
 * between two users of the slave and the raw mode stays; what nobody reads waits in the pty's buffer
 * and, once that is full, what the UART sends is lost. Linux only.
 */
public final class PtyLine implements SerialLine {
    private static final int BUFFER = 4096;
    private static final long POLLFD_BYTES = 8;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment workerErrno = Posix.errnoSlot(arena);
    private final MemorySegment wakeErrno = Posix.errnoSlot(arena);
    private final MemorySegment buffer = arena.allocate(BUFFER);
    private final MemorySegment fds = arena.allocate(2 * POLLFD_BYTES, 8);
    private final MemorySegment timespec = arena.allocate(16, 8);
    private final MemorySegment counter = arena.allocate(8, 8);
    private final MemorySegment one = arena.allocateFrom(JAVA_LONG, 1L);
    private int master = -1;
    private int slave = -1;
    private int wake = -1;
    private final Path slavePath;
    private volatile boolean closed;

    private PtyLine() throws IOException {
        try {
            MemorySegment e = workerErrno;
            master = Posix.posixOpenpt(e, Posix.O_RDWR | Posix.O_NOCTTY);
            Posix.grantpt(e, master);
            Posix.unlockpt(e, master);
            slavePath = Path.of(Posix.ptsname(master));
            slave = Posix.open(e, slavePath.toString(), Posix.O_RDWR | Posix.O_NOCTTY | Posix.O_CLOEXEC);
            Posix.makeRaw(e, slave);
            Posix.setNonBlocking(e, master);
            wake = Posix.eventfd(e, Posix.O_NONBLOCK | Posix.O_CLOEXEC);
        } catch (IOException | RuntimeException err) {
            release();
            throw new IOException("cannot set up a pseudo-terminal for a serial line: " + err.getMessage(), err);
        }
    }

    /** A new pseudo-terminal pair. */
    public static PtyLine open() throws IOException {
        return new PtyLine();
    }

    /** The slave side, for the far side to open ({@code /dev/pts/N}). */
    public Path slavePath() {
        return slavePath;
    }

    @Override
    public void send(byte[] bytes, int offset, int length) throws IOException {
        ensureOpen();
        for (int done = 0; done < length; ) {
            int n = Math.min(BUFFER, length - done);
            MemorySegment.copy(bytes, offset + done, buffer, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, n);
            long w = Posix.write(workerErrno, master, buffer, n);
            if (w < 0) {
                int err = Posix.errno(workerErrno);
                if (err == Posix.EAGAIN || err == Posix.EIO) {
                    return; // the pty's buffer is full: the rest is lost, as on a wire
                }
                if (err != Posix.EINTR) {
                    throw new IOException("write to pty master " + slavePath + " failed: " + Posix.strerror(err));
                }
            } else if (w < n) {
                return;
            } else {
                done += n;
            }
        }
    }

    @Override
    public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        ensureOpen();
        long t = Math.clamp(timeoutNanos, 0, 3600_000_000_000L);
        timespec.set(JAVA_LONG, 0, t / 1_000_000_000L);
        timespec.set(JAVA_LONG, 8, t % 1_000_000_000L);
        pollFd(0, master);
        pollFd(1, wake);
        int rc = Posix.ppoll(workerErrno, fds, 2, timespec);
        if (rc < 0) {
            int err = Posix.errno(workerErrno);
            if (err == Posix.EINTR) {
                return 0;
            }
            throw new IOException("ppoll on pty " + slavePath + " failed: " + Posix.strerror(err));
        }
        if ((revents(1) & Posix.POLLIN) != 0) {
            Posix.read(workerErrno, wake, counter, 8); // drain the wakeups
        }
        if ((revents(0) & (Posix.POLLIN | Posix.POLLHUP | Posix.POLLERR)) == 0 || !dst.hasRemaining()) {
            return 0;
        }
        long n = Posix.read(workerErrno, master, buffer, Math.min(BUFFER, dst.remaining()));
        if (n < 0) {
            int err = Posix.errno(workerErrno);
            if (err == Posix.EAGAIN || err == Posix.EINTR || err == Posix.EIO) {
                return 0;
            }
            throw new IOException("read from pty master " + slavePath + " failed: " + Posix.strerror(err));
        }
        dst.put(buffer.asSlice(0, n).asByteBuffer());
        return (int) n;
    }

    @Override
    public synchronized void wakeup() {
        if (!closed) {
            Posix.write(wakeErrno, wake, one, 8);
        }
    }

    /** Always true while open: whether anyone has the slave open is not visible from the master. */
    @Override
    public boolean connected() {
        return !closed;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            release();
        }
    }

    private void release() {
        Posix.close(wake);
        Posix.close(slave);
        Posix.close(master);
        wake = slave = master = -1;
        arena.close();
    }

    private void pollFd(int i, int fd) {
        fds.set(JAVA_INT, i * POLLFD_BYTES, fd);
        fds.set(JAVA_SHORT, i * POLLFD_BYTES + 4, Posix.POLLIN);
        fds.set(JAVA_SHORT, i * POLLFD_BYTES + 6, (short) 0);
    }

    private short revents(int i) {
        return fds.get(JAVA_SHORT, i * POLLFD_BYTES + 6);
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("the serial line on pty " + slavePath + " is closed");
        }
    }
}

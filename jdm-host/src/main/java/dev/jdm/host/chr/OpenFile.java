package dev.jdm.host.chr;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.chr.CharFile;
import dev.jdm.abi.chr.CharOpen;
import dev.jdm.abi.chr.CharStatus;
import dev.jdm.abi.chr.Ioctl;
import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import dev.jdm.host.module.ModulePin;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToLongFunction;

/**
 * One open file: the driver's {@link CharFile}, the flags it was opened with and a reference on
 * the driver's module. The driver is called for one operation at a time and never waits; when a
 * blocking open's operation gets EAGAIN, this waits on the node's queue in slices of
 * {@link Heartbeat#INTERVAL_MS}, sending a heartbeat after each, so a caller that went away ends
 * the wait. {@link #close} releases the driver's file exactly once.
 */
public final class OpenFile implements AutoCloseable {
    /** Most bytes one read returns. */
    public static final int MAX_READ = 4 << 20;
    /** Most bytes one write takes. */
    public static final int MAX_WRITE = 512 << 10;

    private final CharNode node;
    private final int flags;
    private final ModulePin pin;
    private final CharAccess access;
    private final ReentrantLock op = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile CharFile file;

    OpenFile(CharNode node, int flags, ModulePin pin, CharAccess access) {
        this.node = node;
        this.flags = flags;
        this.pin = pin;
        this.access = access;
    }

    void attach(CharFile f) {
        this.file = f;
    }

    /** The node as it is now. */
    public NodeInfo node() {
        return node.info();
    }

    /** The open flags. */
    public int flags() {
        return flags;
    }

    /**
     * Reads up to {@code max} bytes: what the driver gave, empty at end of file.
     *
     * @throws HostException EBADF if not open for reading, EAGAIN for a non-blocking open with nothing to read, or the driver's errno
     */
    public byte[] read(int max, Heartbeat hb) throws IOException, InterruptedException {
        byte[] buf = new byte[checkRead(max)];
        long n = read(MemorySegment.ofArray(buf), hb);
        return n == max ? buf : Arrays.copyOf(buf, (int) n);
    }

    /**
     * Reads up to {@code into.byteSize()} bytes into {@code into} (heap or native memory, so the
     * gate can hand a reply's bytes to the socket without copying them): the count, 0 at end of file.
     *
     * @throws HostException as {@link #read(int, Heartbeat)}
     */
    public long read(MemorySegment into, Heartbeat hb) throws IOException, InterruptedException {
        checkRead(into.byteSize());
        return Math.min(into.byteSize(), waitFor("read", hb, f -> f.read(into)));
    }

    /** The read's checks, on every read: direction, size and file_permission (a policy may have changed since open). */
    private int checkRead(long max) {
        direction(CharOpen.READ, "read");
        if (max < 1 || max > MAX_READ) {
            throw new HostException(Errno.EINVAL, node.name() + ": a read of " + max + " bytes; each call reads 1.." + MAX_READ);
        }
        access.checkFile(node.info(), CharOpen.READ);
        return (int) max;
    }

    /** Writes {@code data}: the bytes the driver took (at least one unless {@code data} is empty). */
    public int write(byte[] data, Heartbeat hb) throws IOException, InterruptedException {
        direction(CharOpen.WRITE, "write");
        if (data.length > MAX_WRITE) {
            throw new HostException(Errno.EINVAL, node.name() + ": a write of " + data.length + " bytes; each call writes at most " + MAX_WRITE);
        }
        access.checkFile(node.info(), CharOpen.WRITE);
        if (data.length == 0) {
            return 0;
        }
        return (int) Math.min(data.length, waitFor("write", hb, f -> f.write(MemorySegment.ofArray(data).asReadOnly())));
    }

    /**
     * The events of {@code events} (POLLERR and POLLHUP always) that hold, waiting up to
     * {@code timeoutMs} (0: do not wait; negative: until one holds).
     */
    public int poll(int events, long timeoutMs, Heartbeat hb) throws IOException, InterruptedException {
        int wanted = events | CharFile.POLLERR | CharFile.POLLHUP;
        long deadline = timeoutMs < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutMs * 1_000_000;
        while (true) {
            long seen = node.wakes();
            int r = (int) driver("poll", CharFile::poll) & wanted;
            long left = timeoutMs < 0 ? Heartbeat.INTERVAL_MS : (deadline - System.nanoTime()) / 1_000_000;
            if (r != 0 || left <= 0) {
                return r;
            }
            node.await(seen, Math.min(left, Heartbeat.INTERVAL_MS));
            hb.beat();
        }
    }

    /** Moves the position; the new one. */
    public long seek(long offset, int whence) {
        if (whence < CharFile.SEEK_SET || whence > CharFile.SEEK_END) {
            throw new HostException(Errno.EINVAL, node.name() + ": seek whence " + whence + " (0 SEEK_SET, 1 SEEK_CUR, 2 SEEK_END)");
        }
        return status("seek", driver("seek", f -> f.seek(offset, whence)));
    }

    /** A legacy ioctl: its value and the argument's bytes as the driver left them (when the direction includes read). */
    public IoctlResult ioctl(int cmd, byte[] arg) {
        int dir = Ioctl.dir(cmd);
        int size = Ioctl.size(cmd);
        String what = node.name() + ": ioctl 0x" + Integer.toHexString(cmd);
        if ((dir & Ioctl.WRITE) != 0 ? arg.length != size : arg.length != 0) {
            throw new HostException(Errno.EINVAL, what + ": the argument is " + arg.length + " bytes; the command's direction and size ("
                    + size + ") want " + ((dir & Ioctl.WRITE) != 0 ? size : 0));
        }
        access.checkCall(node.info(), "ioctl", Integer.toUnsignedLong(cmd));
        byte[] buf = (dir & Ioctl.WRITE) != 0 ? arg.clone() : new byte[size];
        long v = status("ioctl 0x" + Integer.toHexString(cmd), driver("ioctl", f -> f.ioctl(cmd, MemorySegment.ofArray(buf))));
        return new IoctlResult(v, (dir & Ioctl.READ) != 0 ? buf : new byte[0]);
    }

    /** An ioctl's answer. */
    public record IoctlResult(long value, byte[] arg) {}

    private void direction(int bit, String what) {
        if ((flags & bit) == 0) {
            throw new HostException(Errno.EBADF, node.name() + ": " + what + " on a file opened " + (bit == CharOpen.READ ? "write" : "read") + "-only");
        }
    }

    /** Calls the driver until it does not answer EAGAIN (blocking opens) and returns its count. */
    private long waitFor(String what, Heartbeat hb, ToLongFunction<CharFile> call) throws IOException, InterruptedException {
        while (true) {
            long seen = node.wakes();
            long n = driver(what, call);
            if (n != -CharStatus.EAGAIN || (flags & CharOpen.NONBLOCK) != 0) {
                return status(what, n);
            }
            node.await(seen, Heartbeat.INTERVAL_MS);
            hb.beat();
        }
    }

    /** One driver call under the file's lock; a driver that throws fails only this call, with EIO. */
    private long driver(String what, ToLongFunction<CharFile> call) {
        op.lock();
        try {
            if (closed.get()) {
                throw new HostException(node.isRemoved() ? Errno.ENODEV : Errno.EBADF, node.name() + ": " + what + " on a closed file"
                        + (node.isRemoved() ? " (the device was removed)" : ""));
            }
            return call.applyAsLong(file);
        } catch (HostException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new HostException(Errno.EIO, node.name() + ": " + what + ": the driver failed: " + e);
        } finally {
            op.unlock();
        }
    }

    private long status(String what, long n) {
        if (n < 0) {
            Errno e = Errno.ofStatus((int) Math.max(n, Integer.MIN_VALUE + 1));
            throw new HostException(e, node.name() + ": " + what + ": " + e.name() + " (" + e.description() + ")");
        }
        return n;
    }

    /** Whether it was closed. */
    public boolean isClosed() {
        return closed.get();
    }

    /** Releases the driver's file (once), the exclusive hold and the module reference. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        op.lock();
        try {
            if (file != null) {
                file.release();
            }
        } catch (RuntimeException e) {
            node.registry().log().append(LogLevel.WARNING, "chr", node.name() + ": release failed: " + e);
        } finally {
            op.unlock();
            node.forget(this);
            pin.close();
        }
    }
}

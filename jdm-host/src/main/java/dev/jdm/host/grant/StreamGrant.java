package dev.jdm.host.grant;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.grant.GrantException;
import dev.jdm.abi.grant.GrantedStream;
import dev.jdm.abi.grant.StreamReceiver;
import dev.jdm.host.log.LogRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * A node opened read-only and non-blocking for a module and read on a host thread, since modules
 * run none: the thread waits in poll(2) on the node and on an eventfd that {@link #close}
 * signals, reads what arrives and hands it to the module's receiver. It never spins: with nothing
 * to read it sleeps in poll. The descriptors are closed by the thread as it ends, under the lock
 * that {@link #close} signals under, so no call uses a number that was closed and reused.
 *
 * <p>For a module in an isolated domain the host's grant is never started: it holds the descriptor
 * that went to the domain (for {@code jdm grant ls} and revocation), and the domain reads its copy
 * with a {@code StreamGrant} of its own ({@link GrantDescriptors#adoptStream}).
 */
final class StreamGrant implements GrantedStream {
    /** One read's most: evdev hands out whole records, as many as fit. */
    static final int READ_SIZE = 64 << 10;
    private final String module;
    private final String path;
    private final int fd;
    private final int wake;
    private final StreamReceiver receiver;
    private final Consumer<String> warn;
    private final Thread reader;
    private boolean started;
    private boolean closed;
    private boolean released;

    /** @param warn where a receiver's failure is reported (the host's log ring, or the domain's link to it) */
    StreamGrant(String module, String path, int fd, int wake, StreamReceiver receiver, Consumer<String> warn) {
        this.module = module;
        this.path = path;
        this.fd = fd;
        this.wake = wake;
        this.receiver = receiver;
        this.warn = warn;
        this.reader = Thread.ofPlatform().daemon().name("grant-" + module + "-stream").unstarted(this::run);
    }

    /** For a {@link LogRing}: warnings under the {@code grant} tag. */
    static Consumer<String> warnings(LogRing log) {
        return m -> log.append(LogLevel.WARNING, "grant", m);
    }

    synchronized void start() {
        if (closed) {
            throw new IllegalStateException(path + ": stream closed before it started");
        }
        started = true;
        reader.start();
    }

    /** The node's descriptor: it stays this grant's (send it, do not close it). */
    int descriptor() {
        return fd;
    }

    @Override
    public String path() {
        return path;
    }

    private void run() {
        GrantException error = null;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(READ_SIZE);
            while (true) {
                int w = StreamIo.await(fd, wake);
                if (w < 0) {
                    error = new GrantException(path + ": poll: " + FileIo.name(-w), -w);
                    break;
                }
                if (w == 1) {
                    return; // closed: the module asked for it, so it is not told
                }
                long n = StreamIo.read(fd, buf);
                if (n == -StreamIo.EAGAIN) {
                    continue; // a spurious wake
                }
                if (n < 0) {
                    error = new GrantException(path + ": read: " + FileIo.name((int) -n), (int) -n);
                    break;
                }
                if (n == 0) {
                    break;
                }
                if (!deliver(buf.asSlice(0, n))) {
                    return;
                }
            }
            if (isOpen()) {
                receiver.end(error);
            }
        } catch (RuntimeException e) {
            warn.accept(module + ": " + path + ": the module's stream receiver failed: " + e);
        } finally {
            release();
        }
    }

    /** Hands bytes to the receiver; false if the stream was closed meanwhile. */
    private boolean deliver(MemorySegment bytes) {
        if (!isOpen()) {
            return false;
        }
        receiver.data(bytes);
        return true;
    }

    private synchronized void release() {
        released = true;
        FileIo.close(fd);
        if (wake >= 0) {
            FileIo.close(wake);
        }
    }

    /** Whether it is still open. */
    synchronized boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (!started) {
                release(); // no reader to do it
                return;
            }
            if (!released) {
                StreamIo.signal(wake); // under the lock: the reader closes wake only under it, on its way out
            }
        }
        if (Thread.currentThread() != reader) {
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

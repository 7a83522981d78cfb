package dev.jdm.host.export.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.GatheringByteChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serializes one connection's replies: completions on any thread enqueue, one writer thread drains
 * the queue and sends everything waiting in one gathering write. Headers are copied into a staging
 * buffer so that no reply is split by another. The queue is bounded by the connection's in-flight
 * limit: every reply belongs to a request that holds a permit until {@link Reply#sent} runs.
 *
 * <p>The connection's reader may send small batches itself when it uncorks ({@link #flush}), as
 * nbdkit's threads send their own replies: waking the writer thread for each burst of small
 * replies cost more than writing them. Only one thread writes at a time, and batches leave in
 * queue order. Completions on other threads (a driver's) never write: a slow client must not
 * hold up a driver.
 */
final class ReplyWriter {
    /** One reply: header bytes (and small payloads), optional data, and what to do once sent. */
    record Reply(byte[] head, ByteBuffer data, Runnable sent) {}

    private static final int STAGE = 256 << 10;
    private static final int MAX_GATHER = 64;
    /**
     * The most the reader writes itself: well under a socket's send buffer, so it seldom blocks
     * there. Larger batches (1 MiB reads) go to the writer while the reader takes the next requests.
     */
    static final int INLINE_BYTES = 128 << 10;

    private final ByteChannel channel;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private final ArrayDeque<Reply> queue = new ArrayDeque<>();
    private final ByteBuffer stage = ByteBuffer.allocateDirect(STAGE);
    private boolean closing;
    /** While set, queued replies wait for {@link #flush}: the reader is serving requests it already has. */
    private boolean corked;
    /** Whether a thread is in {@link #write} with a batch taken from the queue. */
    private boolean writing;
    /** Bytes of the queued replies, heads and data. */
    private long queuedBytes;
    private volatile boolean broken;

    ReplyWriter(ByteChannel channel) {
        this.channel = channel;
    }

    /** Queues a reply; after the channel broke it is dropped at once (its resources released). */
    void send(Reply r) {
        lock.lock();
        try {
            if (!broken && !closing) {
                queue.addLast(r);
                queuedBytes += bytes(r);
                if (!corked) {
                    ready.signal();
                }
                return;
            }
        } finally {
            lock.unlock();
        }
        r.sent().run();
    }

    /** Whether a write failed: the peer is gone. */
    boolean broken() {
        return broken;
    }

    /**
     * Holds replies back while the reader serves requests that arrived together, so that they
     * leave in one write, with no wake-up of the writer when they are small: at queue depth 16 a
     * read often brings a dozen requests, and a wake-up and a write each cost about as much as
     * serving one. The reader must {@link #flush} before anything that may block (a socket read,
     * a permit), since the replies held back are what frees permits.
     */
    void cork() {
        lock.lock();
        try {
            corked = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lets held-back replies go, writing them in the calling thread (the reader's) if no other
     * thread is writing and they are at most {@link #INLINE_BYTES}; else the writer thread sends them.
     */
    void flush() {
        List<Reply> batch;
        lock.lock();
        try {
            corked = false;
            if (queue.isEmpty()) {
                return;
            }
            if (writing || broken || queuedBytes > INLINE_BYTES) {
                ready.signal();
                return;
            }
            batch = take();
        } finally {
            lock.unlock();
        }
        writeTaken(batch);
    }

    /** Takes the next batch from the queue, the lock held, and marks this thread as the one writing. */
    private List<Reply> take() {
        List<Reply> batch = new ArrayList<>(Math.min(queue.size(), MAX_GATHER));
        while (!queue.isEmpty() && batch.size() < MAX_GATHER) {
            Reply r = queue.pollFirst();
            queuedBytes -= bytes(r);
            batch.add(r);
        }
        writing = true;
        return batch;
    }

    private static long bytes(Reply r) {
        return r.head().length + (r.data() == null ? 0 : r.data().remaining());
    }

    /** Writes a batch taken by {@link #take}, then releases its replies and the writing mark. */
    private void writeTaken(List<Reply> batch) {
        try {
            if (!broken) {
                write(batch);
            }
        } catch (IOException e) {
            broken = true;
            try {
                channel.close(); // the reader sees this and ends the connection
            } catch (IOException ignored) {
                // closing anyway
            }
        } finally {
            batch.forEach(r -> r.sent().run());
            lock.lock();
            try {
                writing = false;
                if (!queue.isEmpty() || closing) {
                    ready.signal(); // the writer thread waits while another thread writes
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Asks the writer to stop once the queue is empty. */
    void finish() {
        lock.lock();
        try {
            closing = true;
            corked = false;
            ready.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The writer thread's body: runs until {@link #finish} and an empty queue, or a failed write. */
    void run() {
        while (true) {
            List<Reply> batch;
            lock.lock();
            try {
                while ((queue.isEmpty() || corked || writing) && !(closing && !writing)) {
                    ready.awaitUninterruptibly();
                }
                if (queue.isEmpty()) {
                    return;
                }
                batch = take();
            } finally {
                lock.unlock();
            }
            writeTaken(batch);
        }
    }

    private void write(List<Reply> batch) throws IOException {
        stage.clear();
        List<ByteBuffer> parts = new ArrayList<>(batch.size() * 2);
        int sliceStart = 0;
        for (Reply r : batch) {
            if (r.head().length > stage.remaining()) {
                parts.add(stage.slice(sliceStart, stage.position() - sliceStart));
                gather(parts);
                parts.clear();
                stage.clear();
                sliceStart = 0;
            }
            stage.put(r.head());
            if (r.data() != null) {
                parts.add(stage.slice(sliceStart, stage.position() - sliceStart));
                sliceStart = stage.position();
                parts.add(r.data());
            }
        }
        if (stage.position() > sliceStart) {
            parts.add(stage.slice(sliceStart, stage.position() - sliceStart));
        }
        gather(parts);
    }

    private void gather(List<ByteBuffer> parts) throws IOException {
        ByteBuffer[] bufs = parts.toArray(ByteBuffer[]::new);
        long left = 0;
        for (ByteBuffer b : bufs) {
            left += b.remaining();
        }
        // Each write sends at least one byte or throws; the loop ends when all are sent.
        while (left > 0) {
            long n = channel instanceof GatheringByteChannel g ? g.write(bufs) : channel.write(bufs[firstWithRemaining(bufs)]);
            left -= n;
        }
    }

    private static int firstWithRemaining(ByteBuffer[] bufs) {
        for (int i = 0; i < bufs.length; i++) {
            if (bufs[i].hasRemaining()) {
                return i;
            }
        }
        return bufs.length - 1;
    }
}

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
 */
final class ReplyWriter {
    /** One reply: header bytes (and small payloads), optional data, and what to do once sent. */
    record Reply(byte[] head, ByteBuffer data, Runnable sent) {}

    private static final int STAGE = 256 << 10;
    private static final int MAX_GATHER = 64;

    private final ByteChannel channel;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private final ArrayDeque<Reply> queue = new ArrayDeque<>();
    private final ByteBuffer stage = ByteBuffer.allocateDirect(STAGE);
    private boolean closing;
    /** While set, queued replies wait for {@link #uncork}: the reader is serving requests it already has. */
    private boolean corked;
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
     * leave in one write and wake the writer once: at queue depth 16 a read often brings a dozen
     * requests, and a wake-up and a write each cost about as much as serving one. The reader
     * must {@link #uncork} before anything that may block (a socket read, a permit), since the
     * replies held back are what frees permits.
     */
    void cork() {
        lock.lock();
        try {
            corked = true;
        } finally {
            lock.unlock();
        }
    }

    /** Lets held-back replies go. */
    void uncork() {
        lock.lock();
        try {
            corked = false;
            if (!queue.isEmpty()) {
                ready.signal();
            }
        } finally {
            lock.unlock();
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
        List<Reply> batch = new ArrayList<>();
        while (true) {
            lock.lock();
            try {
                while ((queue.isEmpty() || corked) && !closing) {
                    ready.awaitUninterruptibly();
                }
                if (queue.isEmpty()) {
                    return;
                }
                while (!queue.isEmpty() && batch.size() < MAX_GATHER) {
                    batch.add(queue.pollFirst());
                }
            } finally {
                lock.unlock();
            }
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
                batch.clear();
            }
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

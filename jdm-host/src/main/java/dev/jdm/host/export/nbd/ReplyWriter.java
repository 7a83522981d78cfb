package dev.jdm.host.export.nbd;

import dev.jdm.host.block.CompletionBatch;
import dev.jdm.host.sys.NonBlockingSocket;
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
 * replies cost more than writing them. A thread that completes requests in a {@link CompletionBatch}
 * (a domain LU's reaper, or the virtual thread that serves one large write) sends the replies of
 * the batch itself at its end, but only what the socket takes without waiting ({@link
 * NonBlockingSocket}): a slow client must not hold up a driver, so the rest of that write is left
 * to the writer thread. Other completions (a lone one, on a driver's
 * thread) go to the writer thread. Only one thread writes at a time, and batches leave in queue order.
 */
final class ReplyWriter implements CompletionBatch.Deferred {
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
    /** Sends without waiting, beside {@link #channel}; null on TLS or where the descriptor is not to be had. */
    private final NonBlockingSocket direct;
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
    /** What a completing thread's write left unsent: the writer thread sends it before anything else. */
    private Carry carry;
    private volatile boolean broken;

    /** The unsent rest of a batch: the staged parts not yet all sent, and the replies from {@code next} on not yet staged. */
    private record Carry(List<Reply> batch, ByteBuffer[] parts, int next) {}

    /** @param direct sends without waiting on the same socket, or null (TLS): completing threads then never write */
    ReplyWriter(ByteChannel channel, NonBlockingSocket direct) {
        this.channel = channel;
        this.direct = direct;
    }

    /** Queues a reply; after the channel broke it is dropped at once (its resources released). */
    void send(Reply r) {
        lock.lock();
        try {
            if (!broken && !closing) {
                queue.addLast(r);
                queuedBytes += bytes(r);
                if (!corked && !(direct != null && CompletionBatch.defer(this))) {
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
        List<Reply> batch = uncorkAndTake();
        if (batch != null) {
            writeTaken(batch);
        }
    }

    /**
     * {@link #flush}, sending only what the socket takes now, as {@link #batchDone} does; the writer
     * thread sends the rest. For a reader that reaps a driver's completions ({@link
     * dev.jdm.host.block.SharedReaping}): a slow client must not hold it up. Needs {@link #direct}.
     */
    void flushWithoutWaiting() {
        List<Reply> batch = uncorkAndTake();
        if (batch != null) {
            sendTaken(batch);
        }
    }

    /** Uncorks and {@linkplain #takeSmall takes} what this thread is to send, or null. */
    private List<Reply> uncorkAndTake() {
        lock.lock();
        try {
            corked = false;
            return takeSmall();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The end of a completion batch on the thread that completed it: sends what queued without
     * waiting, if nobody else is writing and it is at most {@link #INLINE_BYTES}; what the socket
     * does not take now, and larger batches, the writer thread sends. A corked reader sends them itself.
     */
    @Override
    public void batchDone() {
        List<Reply> batch;
        lock.lock();
        try {
            batch = corked ? null : takeSmall();
        } finally {
            lock.unlock();
        }
        if (batch != null) {
            sendTaken(batch);
        }
    }

    /**
     * The lock held: takes what is queued for the calling thread to send if nobody is writing and
     * it is at most {@link #INLINE_BYTES}; else leaves it to the writer thread and returns null.
     */
    private List<Reply> takeSmall() {
        if (queue.isEmpty()) {
            return null;
        }
        if (writing || broken || queuedBytes > INLINE_BYTES) {
            ready.signal();
            return null;
        }
        return take();
    }

    /** Sends a taken batch on {@link #direct} as far as the socket takes it now, and carries the rest to the writer thread. */
    private void sendTaken(List<Reply> batch) {
        List<ByteBuffer> staged = new ArrayList<>(batch.size() * 2);
        int next = stage(batch, 0, staged);
        ByteBuffer[] parts = staged.toArray(ByteBuffer[]::new);
        try {
            if (!broken) {
                direct.send(parts);
            }
        } catch (IOException e) {
            fail();
        } catch (IllegalArgumentException e) {
            // a payload in heap memory has no address for sendmsg: the writer thread sends the rest,
            // and the completing thread (a driver's reaper) goes on
        }
        if (broken || next == batch.size() && !hasRemaining(parts)) {
            done(batch);
            return;
        }
        lock.lock();
        try {
            carry = new Carry(batch, parts, next); // still marked writing: the writer thread takes over
            ready.signal();
        } finally {
            lock.unlock();
        }
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

    /** Writes a batch taken by {@link #take} (or the rest of one, {@code carry}), then releases its replies and the writing mark. */
    private void writeTaken(List<Reply> batch) {
        writeTaken(new Carry(batch, new ByteBuffer[0], 0));
    }

    private void writeTaken(Carry c) {
        try {
            if (!broken) {
                gather(c.parts());
                write(c.batch(), c.next());
            }
        } catch (IOException e) {
            fail();
        } finally {
            done(c.batch());
        }
    }

    /** A write failed: the peer is gone; closing the channel ends the reader. */
    private void fail() {
        broken = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Releases a batch's replies and the writing mark. */
    private void done(List<Reply> batch) {
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
            Carry c;
            lock.lock();
            try {
                while (carry == null && (queue.isEmpty() || corked || writing) && !(closing && !writing)) {
                    ready.awaitUninterruptibly();
                }
                c = carry;
                carry = null;
                if (c == null) {
                    if (queue.isEmpty()) {
                        return;
                    }
                    c = new Carry(take(), new ByteBuffer[0], 0);
                }
            } finally {
                lock.unlock();
            }
            writeTaken(c);
        }
    }

    /** Closes the sender beside the channel, once the connection is over (no more sends). */
    void close() {
        if (direct != null) {
            direct.close();
        }
    }

    /** Writes {@code batch} from reply {@code from} on, a stage-full of heads at a time. */
    private void write(List<Reply> batch, int from) throws IOException {
        List<ByteBuffer> parts = new ArrayList<>(batch.size() * 2);
        while (from < batch.size()) {
            from = stage(batch, from, parts);
            gather(parts.toArray(ByteBuffer[]::new));
        }
    }

    /**
     * Copies the heads of {@code batch} from reply {@code from} on into the stage while they fit,
     * and sets {@code parts} to the slices of the stage and the data buffers in wire order; returns
     * the index of the first reply not staged. A batch of at most {@link #INLINE_BYTES} always fits.
     */
    private int stage(List<Reply> batch, int from, List<ByteBuffer> parts) {
        stage.clear();
        parts.clear();
        int sliceStart = 0;
        int i = from;
        for (; i < batch.size(); i++) {
            Reply r = batch.get(i);
            if (r.head().length > stage.remaining() && i > from) {
                break;
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
        return i;
    }

    private static boolean hasRemaining(ByteBuffer[] bufs) {
        for (ByteBuffer b : bufs) {
            if (b.hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    private void gather(ByteBuffer[] bufs) throws IOException {
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

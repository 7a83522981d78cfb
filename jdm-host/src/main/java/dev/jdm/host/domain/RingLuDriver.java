package dev.jdm.host.domain;

import dev.jdm.abi.blk.BlockBatch;
import dev.jdm.abi.blk.BlockExtents;
import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockQueueDriver;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.isolation.channel.ControlChannel;
import dev.jdm.isolation.ring.PeerFaultException;
import dev.jdm.isolation.ring.RequestDescriptor;
import dev.jdm.isolation.ring.RingClient;
import dev.jdm.isolation.transport.RingTransport;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The host's driver for an LU served in a domain: each request becomes one or more descriptors in
 * the LU's shared ring (split at the buffer size), its data copied into and out of the shared
 * buffers. One thread owns the {@link RingClient}, which is single-threaded: it submits while tags
 * last and reaps completions, waking every {@link #CHECK_MS} ms to look at the domain's state.
 *
 * <p>The driver outlives the domain process that serves it, so that the host's LU stays registered
 * across a restart. When the process dies the domain {@linkplain #suspend suspends} the driver: it
 * keeps every request it holds (the host still has each request's data: a write's source and a
 * read's destination are the block layer's, never the shared buffer's) and submits nothing. The
 * restarted process's ring arrives by {@link #rebind}; the driver then resubmits what was in flight
 * in the order it was first submitted, ahead of what queued meanwhile. If the domain gives up, it
 * {@linkplain #die kills} the driver: everything held, and everything submitted later, completes
 * with EIO.
 */
final class RingLuDriver implements BlockQueueDriver, AutoCloseable {
    static final long CHECK_MS = 200;

    /** A ring and its LU channel: one per domain process. */
    record Binding(RingTransport.HostEnd end, ControlChannel channel) {
        void close() {
            try {
                end.close();
                channel.close();
            } catch (IOException e) {
                // the mapping and descriptors go with the process at worst
            }
        }
    }

    /** Told when a request that was replayed after a restart completes (the first one per restart). */
    interface RecoveryListener {
        void replayed(String lu, int requests, long crashToFirstNanos);
    }

    private final String lu;
    private final Consumer<String> fault;
    private final RecoveryListener listener;
    private final LinkedBlockingQueue<Part> queue = new LinkedBlockingQueue<>();
    private final AtomicReference<Binding> next = new AtomicReference<>();
    private final AtomicLong sequence = new AtomicLong();
    private final Thread io;
    /** Owned by the io thread. */
    private final Map<Long, Part> inFlight = new HashMap<>();
    private final ArrayDeque<Part> replay = new ArrayDeque<>();
    private Binding binding;
    private RingClient client;
    private long crashNanos;
    private int replaying;
    private volatile boolean suspended;
    private volatile boolean dead;
    private volatile boolean closed;
    /** When a request was last completed, or the ring went from idle to busy: what a stall is measured from. */
    private volatile long progressNanos = System.nanoTime();
    private volatile int held;

    /** One request as the host's block layer handed it over, or an extents query (request null). */
    private static final class Job {
        final BlockRequest request;
        final ExtentsQuery query;
        final AtomicInteger left;
        volatile int status = BlockStatus.OK;

        Job(BlockRequest request, int parts) {
            this.request = request;
            this.query = null;
            this.left = new AtomicInteger(parts);
        }

        Job(ExtentsQuery query) {
            this.request = null;
            this.query = query;
            this.left = new AtomicInteger(1);
        }

        void partDone(int s) {
            if (s != BlockStatus.OK && status == BlockStatus.OK) {
                status = s;
            }
            if (left.decrementAndGet() == 0) {
                if (request != null) {
                    request.complete(status);
                } else {
                    query.answer.complete(status);
                }
            }
        }
    }

    /** An extents query in the ring like any request (so it waits and is replayed across a restart): the range's length, and the answer. */
    private static final class ExtentsQuery {
        final long length;
        final CompletableFuture<Integer> answer = new CompletableFuture<>();
        /** The domain's runs, copied out of the shared buffer; set before {@link #answer} completes. */
        volatile byte[] runs;

        ExtentsQuery(long length) {
            this.length = length;
        }
    }

    /** How long an extents query may wait (a restart included) before the client is told EIO. */
    private static final long EXTENTS_WAIT_MS = 30_000;

    /** One descriptor's worth of a job: {@code length} bytes at {@code offset}, {@code at} into its data; {@code seq} orders replay. */
    private record Part(long seq, Job job, long offset, int length, long at) {}

    /**
     * @param fault told when the domain broke the ring's rules (the caller kills it)
     * @param listener told about the first replayed completion after each restart
     */
    RingLuDriver(String lu, Binding first, Consumer<String> fault, RecoveryListener listener) {
        this.lu = lu;
        this.fault = fault;
        this.listener = listener;
        this.binding = first;
        this.client = first.end().client();
        this.io = Thread.ofPlatform().daemon().name("domain-lu-" + lu).start(this::run);
    }

    @Override
    public void submit(BlockBatch batch) {
        for (int i = 0, n = batch.size(); i < n; i++) {
            BlockRequest r = batch.get(i);
            if (dead || closed) {
                r.complete(BlockStatus.EIO);
                continue;
            }
            int size = DomainLus.LAYOUT.bufferSize();
            long length = r.op() == BlockOp.FLUSH ? 0 : r.length();
            int parts = (int) Math.max(1, (length + size - 1) / size);
            Job job = new Job(r, parts);
            for (int k = 0; k < parts; k++) {
                long at = (long) k * size;
                queue.add(new Part(sequence.incrementAndGet(), job, r.offset() + at, (int) Math.min(size, length - at), at));
            }
        }
    }

    /**
     * The domain driver's extents for {@code [offset, offset + length)}, asked through the ring
     * ({@link DomainProtocol#EXTENTS_OP}); the host's block layer checks the runs as any driver's.
     */
    int extents(long offset, long length, BlockExtents.Runs out) {
        if (dead || closed) {
            return BlockStatus.EIO;
        }
        ExtentsQuery q = new ExtentsQuery(length);
        queue.add(new Part(sequence.incrementAndGet(), new Job(q), offset, 0, 0));
        int status;
        try {
            status = q.answer.get(EXTENTS_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return BlockStatus.EIO;
        } catch (ExecutionException | TimeoutException e) {
            return BlockStatus.EIO; // the query stays queued; its late answer goes nowhere
        }
        if (status != BlockStatus.OK) {
            return status;
        }
        java.nio.ByteBuffer runs = java.nio.ByteBuffer.wrap(q.runs).order(java.nio.ByteOrder.nativeOrder());
        int n = runs.getInt();
        if (n < 1 || n > (runs.capacity() - 4) / DomainProtocol.EXTENT_RUN_BYTES) {
            fault.accept("LU " + lu + ": an extents answer of " + n + " runs in " + runs.capacity() + " bytes");
            return BlockStatus.EIO;
        }
        try {
            for (int i = 0; i < n; i++) {
                out.add(runs.getLong(), runs.getInt());
            }
        } catch (IllegalArgumentException e) {
            return BlockStatus.EIO; // the block layer names the bad run; the domain is not trusted to be right
        }
        return BlockStatus.OK;
    }

    /** The process serving it died and a restart follows: hold everything, submit nothing. */
    void suspend(long crashNanos) {
        suspended = true;
        this.crashNanos = crashNanos; // read by the io thread after it sees the new binding (published through next)
    }

    /** The restarted process serves this LU through {@code b}: resubmit what was in flight, in order. */
    void rebind(Binding b) {
        Binding old = next.getAndSet(b);
        if (old != null) {
            old.close();
        }
        dead = false;
    }

    /** The domain gave up (or the ring broke): fail what it held, and everything after. */
    void die() {
        dead = true;
    }

    /** Milliseconds the driver has held requests without any completing, or 0 when it holds none or is suspended. */
    long stalledMillis() {
        if (held == 0 || suspended || dead) {
            return 0;
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - progressNanos);
    }

    private void run() {
        while (!closed) {
            try {
                Binding b = next.getAndSet(null);
                if (b != null) {
                    swap(b);
                }
                if (dead) {
                    failAll();
                    Part p = queue.poll(CHECK_MS, TimeUnit.MILLISECONDS);
                    if (p != null) {
                        p.job.partDone(BlockStatus.EIO);
                    }
                    continue;
                }
                if (suspended) {
                    Thread.sleep(5); // the restart takes far longer; requests keep queueing meanwhile
                    continue;
                }
                pump();
            } catch (PeerFaultException e) {
                dead = true;
                fault.accept("LU " + lu + ": " + e.getMessage());
            } catch (IOException e) {
                if (!suspended) {
                    dead = true;
                    fault.accept("LU " + lu + ": ring doorbell failed: " + e.getMessage());
                }
            } catch (InterruptedException e) {
                break;
            }
        }
        failAll();
        replay.forEach(p -> p.job.partDone(BlockStatus.EIO));
        queue.forEach(p -> p.job.partDone(BlockStatus.EIO));
        queue.clear();
        binding.close();
        Binding b = next.getAndSet(null);
        if (b != null) {
            b.close();
        }
    }

    /** Submits while there is room, then reaps one completion (or times out to look at the state again). */
    private void pump() throws PeerFaultException, IOException, InterruptedException {
        int capacity = client.layout().capacity();
        while (client.inFlight() < capacity && !suspended) {
            Part p = replay.poll();
            if (p == null) {
                p = client.inFlight() == 0 ? queue.poll(CHECK_MS, TimeUnit.MILLISECONDS) : queue.poll();
            }
            if (p == null) {
                break;
            }
            send(p);
        }
        if (client.inFlight() == 0 || suspended) {
            return;
        }
        try {
            finish(client.take());
        } catch (TimeoutException e) {
            // look at the state, then wait again
        }
    }

    /** The new process's ring replaces the dead one's: everything that was in flight goes first, oldest first. */
    private void swap(Binding b) {
        binding.close();
        binding = b;
        client = b.end().client();
        inFlight.values().stream().sorted(Comparator.comparingLong(Part::seq)).forEach(replay::add);
        inFlight.clear();
        held = replay.size();
        replaying = replay.size();
        progressNanos = System.nanoTime();
        suspended = false;
    }

    private void send(Part p) throws PeerFaultException, IOException {
        if (p.job.query != null) {
            int buffer = client.buffers().allocate();
            client.buffers().buffer(buffer).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, p.job.query.length);
            track(p, client.submit(DomainProtocol.EXTENTS_OP, 0, p.offset, DomainLus.LAYOUT.bufferSize(), buffer));
            return;
        }
        BlockRequest r = p.job.request;
        int buffer = RequestDescriptor.NO_BUFFER;
        if (r.op() != BlockOp.FLUSH) {
            buffer = client.buffers().allocate(); // never -1: there are as many buffers as tags
            if (r.op() == BlockOp.WRITE) {
                try {
                    client.buffers().buffer(buffer).copyFrom(r.data().asSlice(p.at, p.length));
                } catch (RuntimeException e) {
                    client.buffers().release(buffer);
                    p.job.partDone(BlockStatus.EIO); // as for a read: the caller's buffer is unusable here
                    return;
                }
            }
        }
        track(p, client.submit(r.op().ordinal(), r.flags(), p.offset, p.length, buffer));
    }

    private void track(Part p, long id) throws PeerFaultException {
        if (id < 0) {
            throw new PeerFaultException("request ring", "head", client.inFlight(), "a ring with room for " + client.layout().capacity());
        }
        if (inFlight.isEmpty()) {
            progressNanos = System.nanoTime(); // busy from now: a stall counts from here
        }
        inFlight.put(id, p);
        held = inFlight.size();
    }

    private void finish(RequestDescriptor c) {
        Part p = inFlight.remove(c.id());
        held = inFlight.size();
        progressNanos = System.nanoTime();
        if (p.job.query != null) {
            int status = c.status() < 0 ? -c.status() : BlockStatus.OK;
            if (status == BlockStatus.OK) {
                int n = Math.min(c.length(), DomainLus.LAYOUT.bufferSize());
                p.job.query.runs = client.buffers().buffer(c.bufferIndex()).asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                if (n < 4) {
                    status = BlockStatus.EIO;
                }
            }
            client.buffers().release(c.bufferIndex());
            p.job.partDone(status);
            return;
        }
        BlockRequest r = p.job.request;
        int status = c.status() < 0 ? -c.status() : BlockStatus.OK;
        if (c.bufferIndex() != RequestDescriptor.NO_BUFFER) {
            if (status == BlockStatus.OK && (r.op() == BlockOp.READ || r.op() == BlockOp.WRITE) && c.length() != p.length) {
                status = BlockStatus.EIO; // a short transfer: the driver did not do all of it
            }
            if (status == BlockStatus.OK && r.op() == BlockOp.READ) {
                MemorySegment data = client.buffers().buffer(c.bufferIndex()).asSlice(0, p.length);
                try {
                    r.data().asSlice(p.at, p.length).copyFrom(data);
                } catch (RuntimeException e) {
                    status = BlockStatus.EIO; // the caller's buffer is closed or confined to its thread: its problem, not this LU's
                }
            }
            client.buffers().release(c.bufferIndex());
        }
        if (replaying > 0) {
            listener.replayed(lu, replaying, progressNanos - crashNanos);
            replaying = 0;
        }
        p.job.partDone(status);
    }

    private void failAll() {
        inFlight.values().forEach(p -> p.job.partDone(BlockStatus.EIO));
        inFlight.clear();
        replay.forEach(p -> p.job.partDone(BlockStatus.EIO));
        replay.clear();
        held = 0;
    }

    @Override
    public void close() {
        closed = true;
        try {
            io.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

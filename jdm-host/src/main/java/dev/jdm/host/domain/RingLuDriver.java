package dev.jdm.host.domain;

import dev.jdm.abi.blk.BlockBatch;
import dev.jdm.abi.blk.BlockExtents;
import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockQueueDriver;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.block.BufferLender;
import dev.jdm.host.block.CompletionBatch;
import dev.jdm.host.block.SharedReaping;
import dev.jdm.host.sys.EpollSet;
import dev.jdm.isolation.channel.FdDoorbell;
import dev.jdm.isolation.channel.ControlChannel;
import dev.jdm.isolation.ring.PeerFaultException;
import dev.jdm.isolation.ring.RequestDescriptor;
import dev.jdm.isolation.ring.RingClient;
import dev.jdm.isolation.sys.SysException;
import dev.jdm.isolation.transport.RingTransport;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The host's driver for an LU served in a domain: each request becomes one or more descriptors in
 * the LU's shared ring (split at the buffer size), its data copied into and out of the shared
 * buffers. The block layer's thread that submits a batch publishes what fits at once and rings the
 * domain once for the batch; one thread of the LU's own reaps completions (waiting on the domain's
 * doorbell without holding submitters up), submits what queued for lack of a tag, and wakes every
 * {@link #CHECK_MS} ms to look at the domain's state. One lock guards the ring's tags and buffers,
 * the queue and what is in flight; requests are completed outside it.
 *
 * <p>The driver outlives the domain process that serves it, so that the host's LU stays registered
 * across a restart. When the process dies the domain {@linkplain #suspend suspends} the driver: it
 * keeps every request it holds (the host still has each request's data: a write's source and a
 * read's destination are the block layer's, never the shared buffer's) and submits nothing. The
 * restarted process's ring arrives by {@link #rebind}; the driver then resubmits what was in flight
 * in the order it was first submitted, ahead of what queued meanwhile. If the domain gives up, it
 * {@linkplain #die kills} the driver: everything held, and everything submitted later, completes
 * with EIO.
 *
 * <p>Large requests need not be copied at all: the driver {@linkplain #lend lends} their buffers
 * from the ring's data area ({@link RingLoans}), and a part whose data lies in place in one is
 * published with that buffer as it is.
 */
final class RingLuDriver implements BlockQueueDriver, BufferLender, SharedReaping, AutoCloseable {
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
    private final AtomicReference<Binding> next = new AtomicReference<>();
    private final AtomicLong sequence = new AtomicLong();
    private final Thread io;
    /** Guards everything below it, and the client's buffer pool. */
    private final Object lock = new Object();
    /** Parts waiting for a tag, in submission order. */
    private final ArrayDeque<Part> queue = new ArrayDeque<>();
    private final Map<Long, Part> inFlight = new HashMap<>();
    private final ArrayDeque<Part> replay = new ArrayDeque<>();
    private final RingLoans loans;
    /** Replaced only by the io thread (under the lock), so it reads it without. */
    private RingClient client;
    private long crashNanos;
    private int replaying;
    private volatile boolean suspended;
    private volatile boolean dead;
    private volatile boolean closed;
    /** When a request was last completed, or the ring went from idle to busy: what a stall is measured from. */
    private volatile long progressNanos = System.nanoTime();
    private volatile int held;
    /**
     * The threads helping to reap ({@link SharedReaping}). While there are any, the io thread does
     * not sleep on the doorbell, so that a completion wakes one thread.
     */
    private final ReapHelpers helpers = new ReapHelpers();
    /** Set under the lock when the io thread is about to sleep on the doorbell: a last helper leaving then rings it awake. */
    private volatile boolean ioOnDoorbell;

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

    /** A part the domain completed, with its status, to be completed outside the lock. */
    private record Done(Job job, int status) {}

    /**
     * @param fault told when the domain broke the ring's rules (the caller kills it)
     * @param listener told about the first replayed completion after each restart
     */
    RingLuDriver(String lu, Binding first, Consumer<String> fault, RecoveryListener listener) {
        this.lu = lu;
        this.fault = fault;
        this.listener = listener;
        this.loans = new RingLoans(first, this::giveBack);
        this.client = first.end().client();
        helpers.bind(first);
        this.io = Thread.ofPlatform().daemon().name("domain-lu-" + lu).start(this::run);
    }

    @Override
    public void submit(BlockBatch batch) {
        List<Part> parts = new ArrayList<>();
        for (int i = 0, n = batch.size(); i < n; i++) {
            BlockRequest r = batch.get(i);
            int size = DomainLus.LAYOUT.bufferSize();
            long length = r.op() == BlockOp.FLUSH ? 0 : r.length();
            int count = (int) Math.max(1, (length + size - 1) / size);
            Job job = new Job(r, count);
            for (int k = 0; k < count; k++) {
                long at = (long) k * size;
                parts.add(new Part(sequence.incrementAndGet(), job, r.offset() + at, (int) Math.min(size, length - at), at));
            }
        }
        queueAll(parts);
    }

    @Override
    public Loan lend(long bytes) {
        synchronized (lock) {
            return suspended || dead || closed ? null : loans.lend(bytes);
        }
    }

    /** A borrower is done with {@code l}: its buffers may now serve parts that queued for want of one. */
    private void giveBack(RingLoans.Loan l) {
        publishAfter(failed -> loans.returned(l));
    }

    /**
     * Queues {@code parts} (a batch's, or one extents query) and publishes what fits on the
     * submitting thread; fails them with EIO if the driver is dead or closed.
     */
    private void queueAll(List<Part> parts) {
        publishAfter(failed -> (dead || closed ? failed : queue).addAll(parts));
    }

    /**
     * Runs {@code change} under the lock, publishes what can go then, and rings the domain outside
     * it; completes the parts that failed (EIO) and reports a broken ring, both outside the lock too.
     */
    private void publishAfter(Consumer<List<Part>> change) {
        List<Part> failed = new ArrayList<>();
        String broke;
        RingClient c;
        synchronized (lock) {
            change.accept(failed);
            broke = drain(failed);
            c = client;
        }
        if (broke == null) {
            broke = ring(c);
        }
        failed.forEach(p -> p.job.partDone(BlockStatus.EIO));
        if (broke != null) {
            fault.accept(broke);
        }
    }

    /**
     * Rings the domain for what {@link #drain} published into {@code c}, outside the lock: the
     * doorbell's write may put the domain's thread on this core, and the reaper must not wait for
     * the lock meanwhile. Returns the fault to report if the doorbell failed while {@code c} is the
     * ring in use (the driver is then dead), else null.
     */
    private String ring(RingClient c) {
        try {
            c.notifyPeer();
            return null;
        } catch (IOException e) {
            synchronized (lock) {
                if (suspended || dead || c != client) {
                    return null; // the process went: its restart resubmits what was in flight
                }
                dead = true;
            }
            return "LU " + lu + ": ring doorbell failed: " + e.getMessage();
        }
    }

    /**
     * Under the lock: publishes replayed, then queued parts while tags last; the caller then
     * {@linkplain #ring rings} the domain once, outside the lock (the io thread, waiting on the
     * domain's doorbell, hears of them as they complete). Parts that cannot go (a write whose
     * source is unusable) go to {@code failed}; returns the fault to report if the ring broke (the
     * driver is then dead), else null.
     */
    private String drain(List<Part> failed) {
        if (suspended || dead || closed) {
            return null;
        }
        int capacity = client.layout().capacity();
        try {
            // a free buffer too, unless the part's data is in place in a loan: the reaper frees a
            // completion's tag before it takes the lock to copy the data out and release the buffer,
            // so tags can be free while every buffer is held
            while (client.inFlight() < capacity) {
                ArrayDeque<Part> from = replay.isEmpty() ? queue : replay;
                Part p = from.peek();
                if (p == null || client.buffers().available() == 0 && inPlace(p) < 0) {
                    break;
                }
                from.poll();
                send(p, failed);
            }
        } catch (PeerFaultException e) {
            dead = true;
            return "LU " + lu + ": " + e.getMessage();
        }
        return null;
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
        queueAll(List.of(new Part(sequence.incrementAndGet(), new Job(q), offset, 0, 0)));
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
        wakeIo();
    }

    /** The domain gave up (or the ring broke): fail what it held, and everything after. */
    void die() {
        dead = true;
        wakeIo();
    }

    /** Wakes the io thread if it waits on the lock while helpers reap: the domain's state changed. */
    private void wakeIo() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** Milliseconds the driver has held requests without any completing, or 0 when it holds none or is suspended. */
    long stalledMillis() {
        if (held == 0 || suspended || dead) {
            return 0;
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - progressNanos);
    }

    private void run() {
        List<Done> done = new ArrayList<>();
        List<Part> failed = new ArrayList<>();
        while (!closed) {
            String broke = null;
            try {
                Binding b = next.getAndSet(null);
                if (b != null) {
                    RingClient c;
                    synchronized (lock) {
                        swap(b);
                        broke = drain(failed);
                        c = client;
                    }
                    broke = broke != null ? broke : ring(c);
                } else if (dead) {
                    synchronized (lock) {
                        takeAll(failed);
                        lock.wait(CHECK_MS);
                    }
                } else if (suspended) {
                    Thread.sleep(5); // the restart takes far longer; requests keep queueing meanwhile
                } else {
                    broke = reap(done, failed);
                }
            } catch (PeerFaultException e) {
                dead = true;
                broke = "LU " + lu + ": " + e.getMessage();
            } catch (IOException e) {
                if (!suspended) {
                    dead = true;
                    broke = "LU " + lu + ": ring doorbell failed: " + e.getMessage();
                }
            } catch (InterruptedException e) {
                break;
            }
            finishAll(done, failed);
            if (broke != null) {
                fault.accept(broke);
            }
        }
        synchronized (lock) {
            takeAll(failed);
            failed.addAll(queue);
            queue.clear();
            loans.retire(); // its mapping goes once the last loan comes back
        }
        finishAll(done, failed);
        Binding b = next.getAndSet(null);
        if (b != null) {
            b.close();
        }
    }

    /**
     * One step of the io thread: under the lock, publishes what waits and takes every completion
     * there; if there were none, sleeps on the domain's doorbell (also when nothing is in flight:
     * whatever a submitter publishes next completes through it, so submitters need not wake this
     * thread) or, while helpers reap, on the lock. Returns a fault to report, or null.
     */
    private String reap(List<Done> done, List<Part> failed) throws PeerFaultException, IOException, InterruptedException {
        RingClient c0;
        String broke;
        boolean sleep = false;
        synchronized (lock) {
            broke = drain(failed);
            if (broke != null || closed || next.get() != null) {
                return broke;
            }
            c0 = client;
            reapLocked(done);
            if (done.isEmpty() && helpers.none()) {
                client.announceWaiting();
                RequestDescriptor c = client.poll();
                if (c != null) {
                    client.cancelWaiting();
                    finish(c, done);
                    reapLocked(done);
                } else {
                    sleep = true;
                    ioOnDoorbell = true; // before the lock goes: a helper that joins and leaves meanwhile rings
                }
            }
            if (!done.isEmpty()) {
                broke = drain(failed);
            }
        }
        broke = broke != null ? broke : ring(c0);
        if (sleep) {
            try {
                client.awaitCompletion(CHECK_MS); // rung, timed out or spurious: the next step polls
            } finally {
                ioOnDoorbell = false;
            }
        } else if (done.isEmpty()) {
            synchronized (lock) {
                if (!helpers.none() && next.get() == null && !closed) {
                    lock.wait(CHECK_MS); // the helpers reap; the last to leave wakes this thread
                }
            }
        }
        return broke;
    }

    /** Under the lock: finishes every completion that is there. */
    private void reapLocked(List<Done> done) throws PeerFaultException {
        for (RequestDescriptor c = client.poll(); c != null; c = client.poll()) {
            finish(c, done);
        }
    }

    @Override
    public void join(EpollSet wait) {
        synchronized (lock) {
            helpers.join(wait);
        }
    }

    @Override
    public void leave(EpollSet wait) {
        FdDoorbell bell;
        synchronized (lock) {
            if (!helpers.leave(wait)) {
                return;
            }
            lock.notifyAll(); // the io thread, waiting on the lock while helpers reaped
            bell = helpers.bell();
        }
        if (ioOnDoorbell && bell != null) {
            try {
                bell.ring(); // it sleeps on the doorbell, whose waiting flag a helper may have withdrawn
            } catch (IOException e) {
                // it wakes within CHECK_MS anyway
            }
        }
    }

    @Override
    public Step reapOrArm(EpollSet wait, int token) {
        List<Done> done = new ArrayList<>();
        List<Part> failed = new ArrayList<>();
        String broke = null;
        RingClient c0;
        Step step;
        synchronized (lock) {
            if (!helpers.canHelp(wait) || suspended || dead || closed || next.get() != null) {
                return Step.UNAVAILABLE;
            }
            c0 = client;
            try {
                reapLocked(done);
                step = Step.REAPED;
                if (done.isEmpty()) {
                    helpers.watchBell(wait, token);
                    client.announceWaiting();
                    RequestDescriptor c = client.poll();
                    if (c == null) {
                        helpers.arm();
                        step = Step.ARMED;
                    } else {
                        if (!helpers.anyArmed()) {
                            client.cancelWaiting();
                        }
                        finish(c, done);
                        reapLocked(done);
                    }
                }
                if (step == Step.REAPED) {
                    broke = drain(failed);
                }
            } catch (PeerFaultException e) {
                dead = true;
                broke = "LU " + lu + ": " + e.getMessage();
                step = Step.UNAVAILABLE;
            } catch (SysException e) {
                step = Step.UNAVAILABLE; // this set cannot watch the doorbell: its thread waits as without help
            }
        }
        if (broke == null && step == Step.REAPED) {
            broke = ring(c0);
        }
        finishAll(done, failed);
        if (broke != null) {
            fault.accept(broke);
        }
        return step;
    }

    @Override
    public void disarm() {
        synchronized (lock) {
            if (helpers.disarm()) {
                client.cancelWaiting();
            }
        }
    }

    /** Completes, outside the lock, what the io thread finished or failed. */
    private static void finishAll(List<Done> done, List<Part> failed) {
        if (done.isEmpty() && failed.isEmpty()) {
            return;
        }
        // one batch: an NBD connection then sends the replies of all of them in one write
        CompletionBatch.run(() -> {
            for (Done d : done) {
                d.job.partDone(d.status);
            }
            failed.forEach(p -> p.job.partDone(BlockStatus.EIO));
        });
        done.clear();
        failed.clear();
    }

    /** The new process's ring replaces the dead one's: everything that was in flight goes first, oldest first. */
    private void swap(Binding b) {
        loans.replace(b);
        client = b.end().client();
        helpers.bind(b);
        inFlight.values().stream().sorted(Comparator.comparingLong(Part::seq)).forEach(replay::add);
        inFlight.clear();
        held = replay.size();
        replaying = replay.size();
        progressNanos = System.nanoTime();
        suspended = false;
    }

    /**
     * Under the lock: publishes {@code p} (a write's data copied into its buffer first), or fails it
     * at once (into {@code failed}).
     */
    private void send(Part p, List<Part> failed) throws PeerFaultException {
        if (p.job.query != null) {
            int buffer = client.buffers().allocate();
            client.buffers().buffer(buffer).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, p.job.query.length);
            track(p, publish(p, DomainProtocol.EXTENTS_OP, 0, DomainLus.LAYOUT.bufferSize(), buffer, true));
            return;
        }
        BlockRequest r = p.job.request;
        int lent = inPlace(p);
        if (lent >= 0) {
            track(p, publish(p, r.op().ordinal(), r.flags(), p.length, lent, false));
            loans.using(lent);
            return;
        }
        int buffer = RequestDescriptor.NO_BUFFER;
        if (r.op() != BlockOp.FLUSH) {
            buffer = client.buffers().allocate(); // never -1: drain sends only while one is free
            if (r.op() == BlockOp.WRITE) {
                try {
                    client.buffers().buffer(buffer).copyFrom(r.data().asSlice(p.at, p.length));
                } catch (RuntimeException e) {
                    client.buffers().release(buffer);
                    failed.add(p); // as for a read: the caller's buffer is unusable here
                    return;
                }
            }
        }
        track(p, publish(p, r.op().ordinal(), r.flags(), p.length, buffer, true));
    }

    /** The buffer of the current ring that holds {@code p}'s data in place (a loan's), or -1. */
    private int inPlace(Part p) {
        BlockRequest r = p.job.request;
        return r != null && (r.op() == BlockOp.READ || r.op() == BlockOp.WRITE) ? loans.bufferFor(r.data(), p.at) : -1;
    }

    /**
     * Publishes {@code p}'s descriptor; if the ring refuses, the part goes back to the queue's head
     * for whoever fails it, and {@code buffer} to the pool if it is the part's {@code own}.
     */
    private long publish(Part p, int op, int flags, int length, int buffer, boolean own) throws PeerFaultException {
        try {
            long id = client.publish(op, flags, p.offset, length, buffer);
            if (id < 0) {
                throw new PeerFaultException("request ring", "head", client.inFlight(), "a ring with room for " + client.layout().capacity());
            }
            return id;
        } catch (PeerFaultException e) {
            if (own && buffer != RequestDescriptor.NO_BUFFER) {
                client.buffers().release(buffer);
            }
            queue.addFirst(p);
            throw e;
        }
    }

    private void track(Part p, long id) {
        if (inFlight.isEmpty()) {
            progressNanos = System.nanoTime(); // busy from now: a stall counts from here
        }
        inFlight.put(id, p);
        held = inFlight.size();
    }

    /** Under the lock: takes {@code c}'s part out of flight, its data out of the shared buffer, and adds it to {@code done}. */
    private void finish(RequestDescriptor c, List<Done> done) {
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
            done.add(new Done(p.job, status));
            return;
        }
        BlockRequest r = p.job.request;
        int status = c.status() < 0 ? -c.status() : BlockStatus.OK;
        if (c.bufferIndex() != RequestDescriptor.NO_BUFFER) {
            boolean inPlace = loans.completed(c.bufferIndex()); // a loan's: the data is already where it goes
            if (status == BlockStatus.OK && (r.op() == BlockOp.READ || r.op() == BlockOp.WRITE) && c.length() != p.length) {
                status = BlockStatus.EIO; // a short transfer: the driver did not do all of it
            }
            if (status == BlockStatus.OK && r.op() == BlockOp.READ && !inPlace) {
                MemorySegment data = client.buffers().buffer(c.bufferIndex()).asSlice(0, p.length);
                try {
                    r.data().asSlice(p.at, p.length).copyFrom(data);
                } catch (RuntimeException e) {
                    status = BlockStatus.EIO; // the caller's buffer is closed or confined to its thread: its problem, not this LU's
                }
            }
            if (!inPlace) {
                client.buffers().release(c.bufferIndex());
            }
        }
        if (replaying > 0) {
            listener.replayed(lu, replaying, progressNanos - crashNanos);
            replaying = 0;
        }
        done.add(new Done(p.job, status));
    }

    /** Under the lock: everything in flight and waiting for replay, into {@code failed}. */
    private void takeAll(List<Part> failed) {
        if (!inFlight.isEmpty()) {
            loans.ringGone(); // what was in flight fails here, not through the ring
        }
        failed.addAll(inFlight.values());
        inFlight.clear();
        failed.addAll(replay);
        replay.clear();
        if (dead) {
            failed.addAll(queue);
            queue.clear();
        }
        held = 0;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            lock.notifyAll(); // a dead driver's io thread sees it now; one waiting on the doorbell within CHECK_MS
        }
        try {
            io.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

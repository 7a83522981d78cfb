package dev.jdm.host.domain;

import dev.jdm.abi.blk.BlockBatch;
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
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The host's driver for an LU served in a domain: each request becomes one or more descriptors in
 * the LU's shared ring (split at the buffer size), its data copied into and out of the shared
 * buffers. One thread owns the {@link RingClient}, which is single-threaded: it submits while tags
 * last and reaps completions, waking every {@link #CHECK_MS} ms to see whether the domain died. After
 * a death, everything in flight or queued, and everything submitted later, completes with EIO.
 */
final class RingLuDriver implements BlockQueueDriver, AutoCloseable {
    static final long CHECK_MS = 200;

    private final String lu;
    private final RingTransport.HostEnd end;
    private final ControlChannel channel;
    private final RingClient client;
    private final Consumer<String> fault;
    private final LinkedBlockingQueue<Part> queue = new LinkedBlockingQueue<>();
    private final Map<Long, Part> inFlight = new HashMap<>();
    private final Thread io;
    private volatile boolean dead;
    private volatile boolean closed;

    /** One request as the host's block layer handed it over. */
    private static final class Job {
        final BlockRequest request;
        final AtomicInteger left;
        volatile int status = BlockStatus.OK;

        Job(BlockRequest request, int parts) {
            this.request = request;
            this.left = new AtomicInteger(parts);
        }

        void partDone(int s) {
            if (s != BlockStatus.OK && status == BlockStatus.OK) {
                status = s;
            }
            if (left.decrementAndGet() == 0) {
                request.complete(status);
            }
        }
    }

    /** One descriptor's worth of a job: {@code length} bytes at {@code offset}, {@code at} into its data. */
    private record Part(Job job, long offset, int length, long at) {}

    /** @param fault told when the domain broke the ring's rules (the caller kills it) */
    RingLuDriver(String lu, RingTransport.HostEnd end, ControlChannel channel, Consumer<String> fault) {
        this.lu = lu;
        this.end = end;
        this.channel = channel;
        this.client = end.client();
        this.fault = fault;
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
            int size = client.layout().bufferSize();
            long length = r.op() == BlockOp.FLUSH ? 0 : r.length();
            int parts = (int) Math.max(1, (length + size - 1) / size);
            Job job = new Job(r, parts);
            for (int k = 0; k < parts; k++) {
                long at = (long) k * size;
                queue.add(new Part(job, r.offset() + at, (int) Math.min(size, length - at), at));
            }
        }
    }

    /** The domain is gone: fail what it held. */
    void die() {
        dead = true;
    }

    private void run() {
        int capacity = client.layout().capacity();
        while (!closed) {
            try {
                if (dead) {
                    failAll();
                    Part p = queue.poll(CHECK_MS, TimeUnit.MILLISECONDS);
                    if (p != null) {
                        p.job.partDone(BlockStatus.EIO);
                    }
                    continue;
                }
                while (client.inFlight() < capacity) {
                    Part p = client.inFlight() == 0 ? queue.poll(CHECK_MS, TimeUnit.MILLISECONDS) : queue.poll();
                    if (p == null) {
                        break;
                    }
                    send(p);
                }
                if (client.inFlight() == 0) {
                    continue;
                }
                try {
                    finish(client.take());
                } catch (TimeoutException e) {
                    // look at dead and closed, then wait again
                }
            } catch (PeerFaultException e) {
                dead = true;
                fault.accept("LU " + lu + ": " + e.getMessage());
            } catch (IOException e) {
                dead = true;
                fault.accept("LU " + lu + ": ring doorbell failed: " + e.getMessage());
            } catch (InterruptedException e) {
                break;
            }
        }
        failAll();
        queue.forEach(p -> p.job.partDone(BlockStatus.EIO));
        queue.clear();
    }

    private void send(Part p) throws PeerFaultException, IOException {
        BlockRequest r = p.job.request;
        int buffer = RequestDescriptor.NO_BUFFER;
        if (r.op() != BlockOp.FLUSH) {
            buffer = client.buffers().allocate(); // never -1: there are as many buffers as tags
            if (r.op() == BlockOp.WRITE) {
                client.buffers().buffer(buffer).copyFrom(r.data().asSlice(p.at, p.length));
            }
        }
        long id = client.submit(r.op().ordinal(), r.flags(), p.offset, p.length, buffer);
        if (id < 0) {
            throw new PeerFaultException("request ring", "head", client.inFlight(), "a ring with room for " + client.layout().capacity());
        }
        inFlight.put(id, p);
    }

    private void finish(RequestDescriptor c) {
        Part p = inFlight.remove(c.id());
        BlockRequest r = p.job.request;
        int status = c.status() < 0 ? -c.status() : BlockStatus.OK;
        if (c.bufferIndex() != RequestDescriptor.NO_BUFFER) {
            if (status == BlockStatus.OK && (r.op() == BlockOp.READ || r.op() == BlockOp.WRITE) && c.length() != p.length) {
                status = BlockStatus.EIO; // a short transfer: the driver did not do all of it
            }
            if (status == BlockStatus.OK && r.op() == BlockOp.READ) {
                MemorySegment data = client.buffers().buffer(c.bufferIndex()).asSlice(0, p.length);
                r.data().asSlice(p.at, p.length).copyFrom(data);
            }
            client.buffers().release(c.bufferIndex());
        }
        p.job.partDone(status);
    }

    private void failAll() {
        inFlight.values().forEach(p -> p.job.partDone(BlockStatus.EIO));
        inFlight.clear();
    }

    @Override
    public void close() {
        closed = true;
        try {
            io.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            end.close();
            channel.close();
        } catch (IOException e) {
            // the mapping and descriptors go with the process at worst
        }
    }
}

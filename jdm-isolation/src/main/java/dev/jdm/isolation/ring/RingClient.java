package dev.jdm.isolation.ring;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeoutException;

/**
 * The host's end of a region: submits requests, reaps their completions, owns the buffer pool.
 *
 * <p>Each request in flight holds a tag in [0, capacity); its id is {@code sequence << 16 | tag}.
 * A completion is matched by tag and must carry the exact id, buffer and at most the length that was
 * issued; anything else (an unknown or repeated id, another buffer, a length beyond the request, a
 * status below {@code -4095}) is refused. The values handed back come from the host's own table, so
 * the peer cannot redirect a completion to another buffer. Because at most {@code capacity} requests
 * are in flight, neither ring can overflow while the peer behaves.
 *
 * <p>Submitting may happen on any threads, one at a time ({@link #publish} and the claim of
 * {@link #notifyPeer} are serialised here); reaping ({@link #take}, {@link #poll}) on one thread,
 * which waits without holding the submitters up. So a request need not wait behind a completion
 * to be submitted. The {@link #buffers() pool} is the caller's to serialise. A caller that reaps
 * on more than one thread, one at a time under a lock of its own, waits with {@link
 * #announceWaiting}, {@link #poll} and {@link #awaitCompletion} instead of {@link #take}.
 */
public final class RingClient {
    private static final int TAG_BITS = 16;
    private static final int MAX_ERRNO = 4095;

    private final RegionLayout layout;
    private final RingProducer requests;
    private final RingConsumer completions;
    private final BufferPool pool;
    private final Doorbell toDomain;
    private final Waiter waiter;
    private final long[] ids;
    private final int[] buffers;
    private final int[] lengths;
    private final int[] freeTags;
    private int freeTop;
    private long sequence;
    /** Whether a request was published since the last {@link #notifyPeer}. */
    private boolean unannounced;

    private RingClient(MemorySegment region, RegionLayout layout, Doorbell toDomain, Waiter waiter) {
        this.layout = layout;
        this.requests = new RingProducer(layout.requestRing(region), layout.capacity(), "request ring");
        this.completions = new RingConsumer(layout.completionRing(region), layout.capacity(), "completion ring");
        this.pool = new BufferPool(new BufferArea(layout.buffers(region), layout.bufferCount(), layout.bufferSize(), "host buffer"));
        this.toDomain = toDomain;
        this.waiter = waiter;
        int capacity = layout.capacity();
        this.ids = new long[capacity];
        this.buffers = new int[capacity];
        this.lengths = new int[capacity];
        this.freeTags = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            freeTags[i] = capacity - 1 - i;
            ids[i] = -1;
        }
        this.freeTop = capacity;
    }

    /**
     * Formats a fresh, zeroed {@code region} with {@code layout} and returns its host end.
     *
     * @param toDomain rung when the domain sleeps and a request arrives
     * @param waiter how to wait for completions (its doorbell is the one the domain rings)
     */
    public static RingClient create(MemorySegment region, RegionLayout layout, Doorbell toDomain, Waiter waiter) {
        if (region.byteSize() < layout.totalBytes()) {
            throw new IllegalArgumentException("region of " + region.byteSize() + " bytes is smaller than its layout, " + layout.totalBytes());
        }
        layout.format(region);
        return new RingClient(region, layout, toDomain, waiter);
    }

    /**
     * Publishes a request and rings the domain if it sleeps; returns its id, or -1 when {@code
     * capacity} requests are already in flight.
     *
     * @param buffer an index from {@link #buffers()} or {@link RequestDescriptor#NO_BUFFER}
     */
    public long submit(int op, int flags, long offset, int length, int buffer) throws PeerFaultException, IOException {
        long id = publish(op, flags, offset, length, buffer);
        if (id >= 0) {
            notifyPeer();
        }
        return id;
    }

    /**
     * Publishes a request without ringing: a batch of them is published, then one
     * {@link #notifyPeer} wakes the domain at most once. Returns its id, or -1 as {@link #submit}.
     */
    public synchronized long publish(int op, int flags, long offset, int length, int buffer) throws PeerFaultException {
        if (buffer == RequestDescriptor.NO_BUFFER ? length != 0 : length < 0 || length > layout.bufferSize()) {
            throw new IllegalArgumentException("length " + length + " does not fit buffer " + buffer + " of " + layout.bufferSize() + " bytes");
        }
        if (buffer != RequestDescriptor.NO_BUFFER) {
            pool.buffer(buffer); // throws unless the caller holds it
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, not " + offset);
        }
        if (freeTop == 0) {
            return -1;
        }
        int tag = freeTags[--freeTop];
        long id = (++sequence << TAG_BITS) | tag;
        // recorded before the descriptor is published: the reaper may see its completion at once
        ids[tag] = id;
        buffers[tag] = buffer;
        lengths[tag] = length;
        boolean published;
        try {
            published = requests.offer(new RequestDescriptor(id, op, flags, offset, length, buffer, 0));
        } catch (PeerFaultException e) {
            unpublished(tag);
            throw e;
        }
        if (!published) {
            unpublished(tag);
            return -1; // only a peer that stopped consuming gets here: fewer than capacity are in flight
        }
        unannounced = true;
        return id;
    }

    private void unpublished(int tag) {
        ids[tag] = -1;
        freeTags[freeTop++] = tag;
    }

    /**
     * Rings the domain if something was published since the last call, and it sleeps and has not
     * been rung since it said so. The doorbell itself is rung outside this client's lock: the write
     * may wake the domain's thread onto this core, and a submitter or the reaper must not then wait
     * for a thread that is not running.
     */
    public void notifyPeer() throws IOException {
        if (claimNotify()) {
            toDomain.ring();
        }
    }

    private synchronized boolean claimNotify() {
        if (!unannounced) {
            return false;
        }
        unannounced = false;
        return requests.claimNotify();
    }

    /** The next completion, checked, or null when none is waiting. */
    public RequestDescriptor poll() throws PeerFaultException {
        RequestDescriptor c = completions.poll();
        return c == null ? null : accept(c);
    }

    /** The next completion, waiting as the {@link Waiter} says (without holding submitters up). */
    public RequestDescriptor take() throws PeerFaultException, IOException, TimeoutException {
        return accept(waiter.take(completions));
    }

    /**
     * Asks the domain to ring the completion doorbell when it next posts one; the caller then polls
     * once more, and either {@linkplain #cancelWaiting cancels} or sleeps ({@link #awaitCompletion}).
     */
    public void announceWaiting() {
        completions.announceWaiting();
    }

    /** Withdraws {@link #announceWaiting} (a doorbell already claimed is harmless: a spurious wake-up). */
    public void cancelWaiting() {
        completions.cancelWaiting();
    }

    /** Sleeps on the completion doorbell at most {@code timeoutMillis}; false if it was not rung. */
    public boolean awaitCompletion(long timeoutMillis) throws IOException {
        return waiter.doorbell().await(timeoutMillis);
    }

    private synchronized RequestDescriptor accept(RequestDescriptor c) throws PeerFaultException {
        int tag = (int) (c.id() & ((1 << TAG_BITS) - 1));
        if (tag >= ids.length || ids[tag] != c.id()) {
            throw new PeerFaultException("completion ring", "id", c.id(), "the id of a request in flight (unknown or already completed)");
        }
        if (c.bufferIndex() != buffers[tag]) {
            throw new PeerFaultException("completion ring", "bufferIndex", c.bufferIndex(), Integer.toString(buffers[tag]) + " (the request's)");
        }
        if (c.length() < 0 || c.length() > lengths[tag]) {
            throw new PeerFaultException("completion ring", "length", c.length(), "in [0, " + lengths[tag] + "] (the request's)");
        }
        if (c.status() < -MAX_ERRNO) {
            throw new PeerFaultException("completion ring", "status", c.status(), "0 or more, or -errno in [-4095, -1]");
        }
        ids[tag] = -1;
        freeTags[freeTop++] = tag;
        return c;
    }

    /** The buffer pool of the data area. */
    public BufferPool buffers() {
        return pool;
    }

    /** Requests submitted and not yet completed. */
    public synchronized int inFlight() {
        return ids.length - freeTop;
    }

    /** Doorbells rung towards the domain so far. */
    public synchronized long doorbellsRung() {
        return requests.doorbells();
    }

    public RegionLayout layout() {
        return layout;
    }
}

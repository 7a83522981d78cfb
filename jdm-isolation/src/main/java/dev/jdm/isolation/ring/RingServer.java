package dev.jdm.isolation.ring;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeoutException;

/**
 * The domain's end of a region: takes requests, gives access to their buffers, posts completions.
 * A request whose buffer index or length is out of range, whose offset is negative, or which has a
 * status set is refused ({@link PeerFaultException}); the host is trusted more than a driver, but a
 * corrupt ring must not turn into a write outside the data area.
 *
 * <p>One thread serves (single consumer of the request ring, single producer of the completions).
 */
public final class RingServer {
    private final RingConsumer requests;
    private final RingProducer completions;
    private final BufferArea area;
    private final Doorbell toHost;
    private final Waiter waiter;

    private RingServer(MemorySegment region, RegionLayout layout, Doorbell toHost, Waiter waiter) {
        this.requests = new RingConsumer(layout.requestRing(region), layout.capacity(), "request ring");
        this.completions = new RingProducer(layout.completionRing(region), layout.capacity(), "completion ring");
        this.area = new BufferArea(layout.buffers(region), layout.bufferCount(), layout.bufferSize(), "request ring");
        this.toHost = toHost;
        this.waiter = waiter;
    }

    /** Attaches to a region the host formatted with {@code layout}, after checking its header. */
    public static RingServer attach(MemorySegment region, RegionLayout layout, Doorbell toHost, Waiter waiter) throws PeerFaultException {
        layout.check(region);
        return new RingServer(region, layout, toHost, waiter);
    }

    /** The next request, checked, or null when none is waiting. */
    public RequestDescriptor poll() throws PeerFaultException {
        RequestDescriptor r = requests.poll();
        return r == null ? null : check(r);
    }

    /** The next request, waiting as the {@link Waiter} says. */
    public RequestDescriptor take() throws PeerFaultException, IOException, TimeoutException {
        return check(waiter.take(requests));
    }

    private RequestDescriptor check(RequestDescriptor r) throws PeerFaultException {
        if (r.bufferIndex() == RequestDescriptor.NO_BUFFER) {
            if (r.length() != 0) {
                throw new PeerFaultException("request ring", "length", r.length(), "0 for a request without a buffer");
            }
        } else {
            area.check(r.bufferIndex(), r.length());
        }
        if (r.offset() < 0) {
            throw new PeerFaultException("request ring", "offset", r.offset(), "0 or more");
        }
        if (r.status() != 0) {
            throw new PeerFaultException("request ring", "status", r.status(), "0 in a request");
        }
        return r;
    }

    /** The data of a request taken from this server: its buffer's first {@code length} bytes. */
    public MemorySegment data(RequestDescriptor r) throws PeerFaultException {
        return area.slice(r.bufferIndex(), r.length());
    }

    /**
     * Posts the completion of {@code r} with {@code status} and {@code length} (bytes done), ringing
     * the host if it sleeps. Spins while the completion ring is full, which a host that keeps at most
     * {@code capacity} requests in flight never lets happen.
     */
    public void complete(RequestDescriptor r, int status, int length) throws PeerFaultException, IOException {
        RequestDescriptor c = new RequestDescriptor(r.id(), r.op(), r.flags(), r.offset(), length, r.bufferIndex(), status);
        while (!completions.offer(c)) {
            Thread.onSpinWait();
        }
        if (completions.claimNotify()) {
            toHost.ring();
        }
    }

    /** Doorbells rung towards the host so far. */
    public long doorbellsRung() {
        return completions.doorbells();
    }
}

package dev.jdm.host.domain;

import dev.jdm.host.block.BufferLender;
import dev.jdm.isolation.ring.BufferPool;
import dev.jdm.isolation.ring.RingClient;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The buffers a domain LU's driver lends ({@link BufferLender}): runs of consecutive buffers of
 * the ring's shared data area, so the NBD server receives a write's payload where the domain reads
 * it and sends a read's data from where the domain wrote it, and the host copies neither.
 *
 * <p>A lent buffer is back in the pool only when both its borrower has given it back and no part
 * in flight uses it in place: a request that timed out gives its loan back while the domain may
 * still hold it. At most half the buffers are lent at a time, so requests that are not on loan
 * (whose buffers come back when they complete) always find one, and loans waiting in the queue
 * cannot hold up the request ahead of them.
 *
 * <p>Each loan belongs to the ring it was lent from. When a restart replaces the ring, the old
 * ring's mapping stays until the last of its loans comes back: the NBD server may still be sending
 * from it. A replayed part whose data lies in an old ring's loan is copied like any other.
 *
 * <p>Not thread-safe: the driver calls everything under its lock.
 */
final class RingLoans {
    /** Smaller requests are copied: their copy costs less than the bookkeeping of a loan. */
    static final int LEND_FROM = 64 << 10;

    /** One loan: buffers [first, first + count) of {@code ring}'s area. */
    final class Loan implements BufferLender.Loan {
        private final Ring ring;
        private final int first;
        private final int count;
        private final MemorySegment segment;
        /** Parts in flight in its ring that use it in place. */
        private int parts;
        private boolean returned;

        private Loan(Ring ring, int first, int count, MemorySegment segment) {
            this.ring = ring;
            this.first = first;
            this.count = count;
            this.segment = segment;
        }

        @Override
        public MemorySegment segment() {
            return segment;
        }

        @Override
        public void giveBack() {
            giveBack.accept(this);
        }
    }

    /** A ring and its loans: its mapping is closed once it is replaced and no loan of it is out. */
    private static final class Ring {
        final RingLuDriver.Binding binding;
        final RingClient client;
        final Loan[] byBuffer;
        int lentBuffers;
        int loansOut;
        boolean replaced;

        Ring(RingLuDriver.Binding binding) {
            this.binding = binding;
            this.client = binding.end().client();
            this.byBuffer = new Loan[client.layout().bufferCount()];
        }
    }

    private final Consumer<Loan> giveBack;
    private Ring ring;

    /** @param giveBack what a borrower's {@link Loan#giveBack} calls (the driver takes its lock, then {@link #returned}) */
    RingLoans(RingLuDriver.Binding first, Consumer<Loan> giveBack) {
        this.giveBack = giveBack;
        this.ring = new Ring(first);
    }

    /** A loan of {@code bytes} from the current ring, or null (too small, too large, or too much lent). */
    Loan lend(long bytes) {
        int size = ring.client.layout().bufferSize();
        int total = ring.client.layout().bufferCount();
        if (bytes < LEND_FROM || bytes > (long) (total / 2) * size) {
            return null;
        }
        int count = (int) ((bytes + size - 1) / size);
        if (ring.lentBuffers + count > total / 2) {
            return null;
        }
        BufferPool pool = ring.client.buffers();
        int first = pool.allocateRun(count);
        if (first < 0) {
            return null;
        }
        MemorySegment segment = pool.area().span(first, count).asSlice(0, bytes);
        Loan l = new Loan(ring, first, count, segment);
        for (int i = first; i < first + count; i++) {
            ring.byBuffer[i] = l;
        }
        ring.lentBuffers += count;
        ring.loansOut++;
        return l;
    }

    /**
     * The current ring's buffer that holds {@code data} from byte {@code at} on, when that lies in
     * place in one of its loans (a buffer's start, in a loan not yet given back); else -1.
     */
    int bufferFor(MemorySegment data, long at) {
        if (!data.isNative()) {
            return -1;
        }
        int size = ring.client.layout().bufferSize();
        long offset = data.address() + at - ring.client.buffers().area().address();
        if (offset < 0 || offset >= (long) ring.byBuffer.length * size || offset % size != 0) {
            return -1;
        }
        int index = (int) (offset / size);
        Loan l = ring.byBuffer[index];
        return l != null && !l.returned && data.byteSize() - at <= (long) (l.first + l.count - index) * size ? index : -1;
    }

    /** A part that uses {@code buffer} (from {@link #bufferFor}) in place was published. */
    void using(int buffer) {
        ring.byBuffer[buffer].parts++;
    }

    /**
     * A part of the current ring completed with {@code buffer}: true if it was a loan's, used in
     * place (then nothing is copied and the buffer is not the part's to release).
     */
    boolean completed(int buffer) {
        Loan l = ring.byBuffer[buffer];
        if (l == null) {
            return false;
        }
        l.parts--;
        freeIfDone(l);
        return true;
    }

    /** The borrower gave {@code l} back. */
    void returned(Loan l) {
        if (l.returned) {
            throw new IllegalStateException("a loan of buffers " + l.first + "+" + l.count + " given back twice");
        }
        l.returned = true;
        freeIfDone(l);
    }

    /**
     * The current ring's parts in flight will not complete through it (its process died, or the
     * driver failed them): nothing uses its loans in place any more.
     */
    void ringGone() {
        for (Loan l : distinct(ring)) {
            l.parts = 0;
            freeIfDone(l);
        }
    }

    /**
     * {@code next} replaces the current ring, whose parts in flight go to {@code next} as replays.
     * The old ring's mapping is closed now, or when its last loan comes back.
     */
    void replace(RingLuDriver.Binding next) {
        ringGone();
        retire();
        ring = new Ring(next);
    }

    /** The driver is done with the current ring: its mapping is closed now, or when its last loan comes back. */
    void retire() {
        ring.replaced = true;
        if (ring.loansOut == 0) {
            ring.binding.close();
        }
    }

    private void freeIfDone(Loan l) {
        if (!l.returned || l.parts > 0) {
            return;
        }
        Ring r = l.ring;
        for (int i = l.first; i < l.first + l.count; i++) {
            r.byBuffer[i] = null;
            if (!r.replaced) {
                r.client.buffers().release(i);
            }
        }
        r.lentBuffers -= l.count;
        r.loansOut--;
        if (r.replaced && r.loansOut == 0) {
            r.binding.close();
        }
    }

    private static List<Loan> distinct(Ring r) {
        List<Loan> out = new ArrayList<>();
        for (int i = 0; i < r.byBuffer.length; i++) {
            Loan l = r.byBuffer[i];
            if (l != null && l.first == i) {
                out.add(l);
            }
        }
        return out;
    }
}

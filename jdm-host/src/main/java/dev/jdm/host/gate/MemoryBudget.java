package dev.jdm.host.gate;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes that frames being received may hold at once, across every connection of a server. A frame
 * reserves as its body arrives, so a peer that announces a large frame and stops holds only what
 * it sent; when the budget is spent the frame is refused (ENOMEM) instead of the host running out
 * of heap.
 */
public final class MemoryBudget {
    private final long limit;
    private final AtomicLong held = new AtomicLong();

    /** A budget of {@code limit} bytes. */
    public MemoryBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("memory budget " + limit);
        }
        this.limit = limit;
    }

    /** Reserves {@code bytes}, or returns false and reserves nothing when that would exceed the limit. */
    public boolean tryReserve(long bytes) {
        while (true) {
            long h = held.get();
            if (h + bytes > limit) {
                return false;
            }
            if (held.compareAndSet(h, h + bytes)) {
                return true;
            }
        }
    }

    /** Gives back bytes from {@link #tryReserve}. */
    public void release(long bytes) {
        held.addAndGet(-bytes);
    }

    /** Bytes reserved now. */
    public long held() {
        return held.get();
    }

    /** The limit. */
    public long limit() {
        return limit;
    }
}

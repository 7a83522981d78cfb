package dev.jdm.host.export.nbd;

import dev.jdm.host.block.BufferLender;
import dev.jdm.host.export.ExportableDevice;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Direct buffers for one connection's payloads, in power-of-two classes from 4 KiB to 32 MiB. A
 * bounded number of bytes is kept for reuse; the rest goes back to the garbage collector.
 *
 * <p>For a large payload the device is asked first to lend a buffer of its own ({@link
 * ExportableDevice#lend}), which it then reads from or writes into in place. A lent buffer goes
 * back to its device, never into the pool, whether the request succeeded or not.
 */
class BufferPool {
    /** Payloads from this size on are worth a loan: below it the copy a loan saves costs less than the asking. */
    static final int LEND_FROM = 64 << 10;
    private static final int MIN_SHIFT = 12;
    private static final int MAX_SHIFT = 25;
    private final ArrayDeque<ByteBuffer>[] free;
    private final long keepBytes;
    private long keptBytes;
    private final Map<ByteBuffer, BufferLender.Loan> lent = new IdentityHashMap<>();

    @SuppressWarnings("unchecked")
    BufferPool(long keepBytes) {
        this.keepBytes = keepBytes;
        this.free = new ArrayDeque[MAX_SHIFT - MIN_SHIFT + 1];
        for (int i = 0; i < free.length; i++) {
            free[i] = new ArrayDeque<>();
        }
    }

    private static int classOf(int length) {
        int shift = Math.max(MIN_SHIFT, 32 - Integer.numberOfLeadingZeros(Math.max(1, length) - 1));
        if (shift > MAX_SHIFT) {
            throw new IllegalArgumentException("buffer of " + length + " bytes exceeds " + (1 << MAX_SHIFT));
        }
        return shift - MIN_SHIFT;
    }

    /** A buffer with position 0 and limit {@code length}. */
    ByteBuffer take(int length) {
        int c = classOf(length);
        ByteBuffer b;
        synchronized (this) {
            b = free[c].pollFirst();
            if (b != null) {
                keptBytes -= b.capacity();
            }
        }
        if (b == null) {
            b = allocate(1 << (c + MIN_SHIFT));
        }
        return b.clear().limit(length);
    }

    /** A buffer with position 0 and limit {@code length}: lent by {@code device} when it offers one, else as {@link #take(int)}. */
    ByteBuffer take(int length, ExportableDevice device) {
        BufferLender.Loan loan = length >= LEND_FROM ? device.lend(length) : null;
        if (loan == null) {
            return take(length);
        }
        ByteBuffer b = loan.segment().asByteBuffer();
        synchronized (this) {
            lent.put(b, loan);
        }
        return b;
    }

    /** A new direct buffer; may throw OutOfMemoryError, which the caller turns into ENOMEM. */
    ByteBuffer allocate(int capacity) {
        return ByteBuffer.allocateDirect(capacity);
    }

    /** Returns a buffer from {@link #take} for reuse (a lent one to its device). */
    void give(ByteBuffer b) {
        if (giveBackLoan(b)) {
            return;
        }
        synchronized (this) {
            if (keptBytes + b.capacity() <= keepBytes) {
                keptBytes += b.capacity();
                free[classOf(b.capacity())].addFirst(b);
            }
        }
    }

    /**
     * Lets go of a buffer that must not be reused here (a failed request's, which a timed-out
     * driver may still touch): a lent one goes back to its device, which waits for its own
     * requests to finish before reusing it; one of ours goes to the garbage collector.
     */
    void drop(ByteBuffer b) {
        giveBackLoan(b);
    }

    private boolean giveBackLoan(ByteBuffer b) {
        BufferLender.Loan loan;
        synchronized (this) {
            loan = lent.remove(b);
        }
        if (loan == null) {
            return false;
        }
        loan.giveBack();
        return true;
    }
}

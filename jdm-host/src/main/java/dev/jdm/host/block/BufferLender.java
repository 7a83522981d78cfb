package dev.jdm.host.block;

import java.lang.foreign.MemorySegment;

/**
 * A queue driver that can lend request buffers in memory it moves data through anyway, so that
 * whoever fills or drains a request's buffer (the NBD server, receiving a write's payload or
 * sending a read's data) does so in place and the driver copies nothing. A domain LU lends slots
 * of the ring's shared buffer area: the domain then reads a write's data where the socket put it.
 *
 * <p>Lending is only ever an offer. A request whose data is a loan is an ordinary request in every
 * other way; a driver that finds the loan no longer usable in place (its ring was replaced by a
 * restart) copies, as for any other buffer. So a loan may go wherever a buffer goes.
 */
public interface BufferLender {
    /** A buffer of exactly {@code bytes} bytes, or null when the driver has none to lend (the caller allocates its own). */
    Loan lend(long bytes);

    /** A lent buffer: valid until {@link #giveBack}, which its borrower calls exactly once, failed request or not. */
    interface Loan {
        MemorySegment segment();

        /**
         * The borrower is done with the buffer. The lender reuses it only once no request that it
         * holds still uses it, so a request that failed (a timeout) may give its loan back at once.
         */
        void giveBack();
    }
}

package dev.jdm.host.block;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free log-linear histogram of nanosecond latencies: 8 sub-buckets per power of two, so a
 * percentile is within 12.5% of the true value. Recording is one atomic increment.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 3;
    private static final int SUB = 1 << SUB_BITS;
    private static final int LINEAR = 2 * SUB;          // values below this have their own bucket
    private static final int BUCKETS = LINEAR + (64 - SUB_BITS - 1) * SUB;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    static int bucket(long nanos) {
        if (nanos < LINEAR) {
            return (int) Math.max(0, nanos);
        }
        int exp = 63 - Long.numberOfLeadingZeros(nanos);  // >= SUB_BITS + 1
        int sub = (int) (nanos >>> (exp - SUB_BITS)) & (SUB - 1);
        return LINEAR + (exp - SUB_BITS - 1) * SUB + sub;
    }

    /** The largest value that falls into {@code bucket}. */
    static long upperBound(int bucket) {
        if (bucket < LINEAR) {
            return bucket;
        }
        int exp = (bucket - LINEAR) / SUB + SUB_BITS + 1;
        int sub = (bucket - LINEAR) % SUB;
        long base = (1L << exp) + ((long) sub << (exp - SUB_BITS));
        return base + (1L << (exp - SUB_BITS)) - 1;
    }

    void record(long nanos) {
        counts.incrementAndGet(bucket(nanos));
    }

    /** The value at quantile {@code q} (0..1), as its bucket's upper bound; 0 if nothing was recorded. */
    long percentile(double q) {
        long[] snap = new long[BUCKETS];
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            snap[i] = counts.get(i);
            total += snap[i];
        }
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += snap[i];
            if (seen >= rank) {
                return upperBound(i);
            }
        }
        return upperBound(BUCKETS - 1);
    }
}

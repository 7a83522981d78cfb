package dev.jdm.host.block;

import dev.jdm.abi.blk.BlockOp;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Per-LU accounting: operations and bytes by kind, merges, errors, in-flight, latency percentiles. */
public final class IoStats {
    private final LongAdder[] ops = adders();
    private final LongAdder[] bytes = adders();
    private final LongAdder errors = new LongAdder();
    private final LongAdder merged = new LongAdder();
    private final AtomicLong inFlight = new AtomicLong();
    private final LatencyHistogram latency = new LatencyHistogram();

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[BlockOp.values().length];
        for (int i = 0; i < a.length; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /** One LU's numbers at a moment; latencies in nanoseconds. */
    public record Snapshot(long[] ops, long[] bytes, long errors, long merged, long inFlight, long p50Nanos, long p99Nanos) {
        /** Operations of one kind. */
        public long ops(BlockOp op) {
            return ops[op.ordinal()];
        }

        /** Bytes of one kind. */
        public long bytes(BlockOp op) {
            return bytes[op.ordinal()];
        }
    }

    void started() {
        inFlight.incrementAndGet();
    }

    void completed(BlockOp op, long length, int status, long nanos) {
        inFlight.decrementAndGet();
        ops[op.ordinal()].increment();
        if (status == 0) {
            bytes[op.ordinal()].add(length);
        } else {
            errors.increment();
        }
        latency.record(nanos);
    }

    void merged(int requests) {
        merged.add(requests);
    }

    /** Current numbers. */
    public Snapshot snapshot() {
        long[] o = new long[ops.length];
        long[] b = new long[ops.length];
        for (int i = 0; i < o.length; i++) {
            o[i] = ops[i].sum();
            b[i] = bytes[i].sum();
        }
        return new Snapshot(o, b, errors.sum(), merged.sum(), inFlight.get(), latency.percentile(0.50), latency.percentile(0.99));
    }
}

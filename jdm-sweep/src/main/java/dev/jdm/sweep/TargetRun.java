package dev.jdm.sweep;

import dev.jdm.sweep.SweepState.ErrorEntry;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One target's run through its phases. Two threads form a pipeline over a few large buffers: a
 * producer generates the keystream (write) or reads the device (verify) while this thread writes
 * or compares the chunk before, so generation and I/O overlap.
 *
 * <p>Progress is published to the state only at a checkpoint, after a flush: the durable position
 * never runs ahead of the data. A failing chunk is retried block by block so the report names the
 * bad blocks and every good one is still written.
 */
final class TargetRun {
    /** Buffers in flight per target. */
    private static final int DEPTH = 3;
    /** Errors kept per target; the rest are counted. */
    static final int MAX_ERRORS = 1000;

    private final SweepDevice dev;
    private final SweepState state;
    private final SweepState.TargetState ts;
    private final SweepOptions o;
    private final List<Phase> phases;
    private final byte[] key;
    private final AtomicBoolean stop;
    private final Runnable save;
    private final Progress.Listener listener;
    private final long checkpointNanos;
    private final int bs;

    // Live progress, ahead of the durable state until the next checkpoint.
    private volatile int phaseIdx;
    private volatile long position;
    private volatile long problems;
    private long bytesWritten;
    private long bytesVerified;
    private long mismatches;
    private long errorsOmitted;
    private final List<ErrorEntry> errors;
    private boolean writeZeroes;
    private boolean dirty;
    private long lastCheckpoint = System.nanoTime();

    TargetRun(SweepDevice dev, SweepState state, SweepState.TargetState ts, AtomicBoolean stop, Runnable save,
            Progress.Listener listener, long checkpointMillis) {
        this.dev = dev;
        this.state = state;
        this.ts = ts;
        this.o = state.options();
        this.phases = Phase.of(o);
        this.key = state.keyBytes();
        this.stop = stop;
        this.save = save;
        this.listener = listener;
        this.checkpointNanos = checkpointMillis * 1_000_000L;
        this.bs = ts.blockSize;
        synchronized (state) {
            phaseIdx = ts.phase;
            position = ts.position;
            bytesWritten = ts.bytesWritten;
            bytesVerified = ts.bytesVerified;
            mismatches = ts.mismatches;
            errorsOmitted = ts.errorsOmitted;
            errors = new ArrayList<>(ts.errors);
            writeZeroes = o.method() == SweepOptions.Method.ZEROS && dev.supportsWriteZeroes();
        }
        problems = errors.size() + errorsOmitted;
    }

    String name() {
        return ts.name;
    }

    /** Bytes of the whole run done (every phase), and the total. */
    long done() {
        return (long) phaseIdx * (ts.end - ts.start) + (position - ts.start);
    }

    long total() {
        return (long) phases.size() * (ts.end - ts.start);
    }

    String phaseName() {
        int p = phaseIdx;
        return p >= phases.size() ? "done" : phases.get(p).toString();
    }

    long problems() {
        return problems;
    }

    boolean finished() {
        return phaseIdx >= phases.size();
    }

    /** Runs the remaining phases; false when stopped before the end. */
    boolean run() throws InterruptedException {
        try (Arena arena = Arena.ofShared()) {
            Buffers b = new Buffers(arena, o.chunkSize());
            while (phaseIdx < phases.size()) {
                Phase ph = phases.get(phaseIdx);
                listener.event(ts.name, (position == ts.start ? "begin " : "resume ") + ph + " at " + Sizes.hex(position));
                if (!runPhase(ph, b)) {
                    checkpoint();
                    return false;
                }
                phaseIdx++;
                position = ts.start;
                checkpoint(); // a pass ends flushed
            }
            return true;
        }
    }

    /** The buffers of a run: chunks in flight, an expected-data scratch, and zeros. */
    private record Buffers(List<Chunk> chunks, MemorySegment expected, MemorySegment zeros) {
        Buffers(Arena arena, int size) {
            this(List.of(new Chunk(arena.allocate(size, 4096)), new Chunk(arena.allocate(size, 4096)),
                    new Chunk(arena.allocate(size, 4096))), arena.allocate(size, 4096), arena.allocate(size, 4096));
        }
    }

    private static final class Chunk {
        final MemorySegment buf;
        long offset;
        int length;
        SweepException error;

        Chunk(MemorySegment buf) {
            this.buf = buf;
        }
    }

    private static final Chunk END = new Chunk(MemorySegment.NULL);

    private boolean runPhase(Phase ph, Buffers b) throws InterruptedException {
        boolean random = o.method() == SweepOptions.Method.RANDOM;
        BlockingQueue<Chunk> free = new ArrayBlockingQueue<>(DEPTH, false, b.chunks());
        BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(DEPTH + 1);
        Throwable[] producerFailure = new Throwable[1];
        long from = position;
        Thread producer = Thread.ofPlatform().name("sweep-" + ts.name + "-producer").start(() -> {
            Keystream ks = random ? new Keystream(key, ph.pass(), ts.index) : null;
            try {
                for (long off = from; off < ts.end && !stop.get(); off += o.chunkSize()) {
                    Chunk c = free.take();
                    c.offset = off;
                    c.length = (int) Math.min(o.chunkSize(), ts.end - off);
                    c.error = null;
                    MemorySegment seg = c.buf.asSlice(0, c.length);
                    if (ph.kind() == Phase.Kind.VERIFY) {
                        try {
                            dev.read(off, seg);
                        } catch (SweepException e) {
                            c.error = e;
                        }
                    } else if (random) {
                        ks.fill(off, seg);
                    }
                    full.put(c);
                }
                full.put(END);
            } catch (InterruptedException e) {
                // the consumer stopped early
            } catch (Throwable t) {
                producerFailure[0] = t;
                full.offer(END);
            }
        });
        Keystream expect = random ? new Keystream(key, ph.pass(), ts.index) : null;
        try {
            for (Chunk c = full.take(); c != END && !stop.get(); c = full.take()) {
                if (ph.kind() == Phase.Kind.WRITE) {
                    write(ph, c.offset, c.length, random ? c.buf : b.zeros());
                } else {
                    verify(ph, c, expect, b);
                }
                position = c.offset + c.length;
                free.put(c);
                if (System.nanoTime() - lastCheckpoint >= checkpointNanos) {
                    checkpoint();
                }
            }
        } finally {
            producer.interrupt();
            producer.join();
        }
        if (producerFailure[0] instanceof Error e) {
            throw e;
        }
        if (producerFailure[0] != null) {
            throw new IllegalStateException(ts.name + ": " + ph + " failed: " + producerFailure[0], producerFailure[0]);
        }
        return position >= ts.end;
    }

    private void write(Phase ph, long off, int len, MemorySegment src) {
        dirty = true;
        try {
            writeRange(off, len, src, 0);
            bytesWritten += len;
        } catch (SweepException chunkFailed) {
            for (int i = 0; i < len; i += bs) { // find the bad blocks; write every good one
                try {
                    writeRange(off + i, bs, src, i);
                    bytesWritten += bs;
                } catch (SweepException e) {
                    error(ph, off + i, bs, e.errno(), e.getMessage());
                }
            }
        }
    }

    private void writeRange(long off, int len, MemorySegment src, int srcOff) {
        if (writeZeroes) {
            try {
                dev.writeZeroes(off, len);
                return;
            } catch (SweepException e) {
                if (!e.errno().equals("EOPNOTSUPP")) {
                    throw e;
                }
                writeZeroes = false; // the device said it could, then could not: write zero buffers
            }
        }
        dev.write(off, src.asSlice(srcOff, len), false);
    }

    private void verify(Phase ph, Chunk c, Keystream expect, Buffers b) {
        MemorySegment got = c.buf.asSlice(0, c.length);
        if (c.error == null) {
            compare(ph, c.offset, got, expect, b);
            return;
        }
        for (int i = 0; i < c.length; i += bs) { // find the unreadable blocks; compare every readable one
            MemorySegment blk = got.asSlice(i, bs);
            try {
                dev.read(c.offset + i, blk);
            } catch (SweepException e) {
                error(ph, c.offset + i, bs, e.errno(), e.getMessage());
                continue;
            }
            compare(ph, c.offset + i, blk, expect, b);
        }
    }

    private void compare(Phase ph, long off, MemorySegment got, Keystream expect, Buffers b) {
        long len = got.byteSize();
        MemorySegment exp = b.zeros().asSlice(0, len);
        if (expect != null) {
            exp = b.expected().asSlice(0, len);
            expect.fill(off, exp);
        }
        long m = MemorySegment.mismatch(got, 0, len, exp, 0, len);
        if (m < 0) {
            bytesVerified += len;
            return;
        }
        long bad = 0;
        long lastEnd = 0;
        for (long i = m / bs * bs; i < len; i += bs) {
            if (MemorySegment.mismatch(got, i, i + bs, exp, i, i + bs) >= 0) {
                bad++;
                lastEnd = i + bs;
            }
        }
        bytesVerified += len - bad * bs;
        mismatches += bad;
        error(ph, off + m, lastEnd - m, "MISMATCH", ts.name + ": " + bad + " block(s) differ from the data of pass " + ph.pass()
                + "; first differing byte at " + Sizes.hex(off + m));
    }

    private void error(Phase ph, long off, long len, String kind, String message) {
        problems++;
        String phase = ph.kind() == Phase.Kind.WRITE ? "write" : "verify";
        int last = errors.size() - 1;
        if (last >= 0) { // merge a run of bad blocks into one entry
            ErrorEntry p = errors.get(last);
            if (p.pass() == ph.pass() && p.phase().equals(phase) && p.kind().equals(kind) && !kind.equals("MISMATCH")
                    && p.offset() + p.length() == off) {
                errors.set(last, new ErrorEntry(p.pass(), phase, p.offset(), p.length() + len, kind, p.message()));
                return;
            }
        }
        if (errors.size() >= MAX_ERRORS) {
            errorsOmitted++;
            return;
        }
        errors.add(new ErrorEntry(ph.pass(), phase, off, len, kind, message));
        listener.event(ts.name, kind + " at " + Sizes.hex(off) + " (" + ph + "): " + message);
    }

    /** Flushes what was written, then publishes the live progress to the state and saves it. */
    void checkpoint() {
        if (dirty) {
            try {
                dev.flush();
            } catch (SweepException e) {
                Phase ph = phases.get(Math.min(phaseIdx, phases.size() - 1));
                error(ph, position, 0, e.errno(), ts.name + ": flush failed: " + e.getMessage());
            }
            dirty = false;
        }
        synchronized (state) {
            ts.phase = phaseIdx;
            ts.position = position;
            ts.bytesWritten = bytesWritten;
            ts.bytesVerified = bytesVerified;
            ts.mismatches = mismatches;
            ts.errors = new ArrayList<>(errors);
            ts.errorsOmitted = errorsOmitted;
            ts.writeZeroes |= writeZeroes;
        }
        save.run();
        lastCheckpoint = System.nanoTime();
    }
}

package dev.jdm.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweeperTest {
    static final int CHUNK = 1 << 16;
    static final long SIZE = 4L << 20;

    @TempDir
    Path state;

    final List<String> events = new CopyOnWriteArrayList<>();

    Sweeper.Context ctx(long checkpointMillis) {
        return new Sweeper.Context(state, "testhost", "0.1.0", new Progress.Listener() {
            @Override
            public void progress(List<Progress> targets) {}

            @Override
            public void event(String target, String message) {
                events.add(target + ": " + message);
            }
        }, checkpointMillis);
    }

    static MemorySweepDevice randomFilled(MemorySweepDevice.Spec spec, long seed) {
        MemorySweepDevice d = new MemorySweepDevice(spec);
        byte[] b = new byte[(int) spec.size()];
        new Random(seed).nextBytes(b);
        MemorySegment.copy(b, 0, d.contents(), ValueLayout.JAVA_BYTE, 0, b.length);
        return d;
    }

    static SweepOptions opts(SweepOptions.Method m, SweepOptions.Verify v, int passes) {
        return new SweepOptions(m, v, passes, false, CHUNK);
    }

    static String sha256(MemorySegment s) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.toArray(ValueLayout.JAVA_BYTE)));
    }

    static Sweeper.Result sweep(List<? extends SweepDevice> devs, SweepOptions o, Sweeper.Context c) {
        return Sweeper.start(SweepPlan.of(devs, o, true), devs, c, new AtomicBoolean());
    }

    @Test
    void shouldZeroEverythingOutsideTheBootAreaAndLeaveTheBootAreaUnchanged() throws Exception {
        for (boolean wz : new boolean[] {true, false}) {
            MemorySweepDevice d = randomFilled(MemorySweepDevice.Spec.whole("ram0", SIZE).withWriteZeroes(wz), 1);
            String boot = sha256(d.contents().asSlice(0, 0x10000));
            Sweeper.Result r = sweep(List.of(d), opts(SweepOptions.Method.ZEROS, SweepOptions.Verify.LAST, 1), ctx(1000));
            assertThat(r.status()).isEqualTo(Sweeper.Status.COMPLETED);
            assertThat(r.report().passed()).isTrue();
            assertThat(sha256(d.contents().asSlice(0, 0x10000))).isEqualTo(boot);
            MemorySegment rest = d.contents().asSlice(0x10000);
            assertThat(rest.mismatch(new MemorySweepDevice(MemorySweepDevice.Spec.partition("z", rest.byteSize())).contents())).isEqualTo(-1);
            SweepReport.Target t = r.report().targets().getFirst();
            assertThat(t.bytesWritten()).isEqualTo(SIZE - 0x10000);
            assertThat(t.bytesVerified()).isEqualTo(SIZE - 0x10000);
            assertThat(t.writeZeroes()).isEqualTo(wz);
            assertThat(t.verifyResult()).isEqualTo("passed");
            assertThat(d.flushes()).isPositive();
            assertThat(r.stateFile()).isNull();
            assertThat(SweepState.file(state, List.of("ram0"))).doesNotExist();
        }
    }

    @Test
    void shouldWriteRandomTwiceAndVerifyEveryPass() throws Exception {
        MemorySweepDevice a = new MemorySweepDevice(MemorySweepDevice.Spec.partition("ram0p1", SIZE));
        MemorySweepDevice b = new MemorySweepDevice(MemorySweepDevice.Spec.whole("ram1", SIZE).withBlockSize(4096));
        Sweeper.Result r = sweep(List.of(a, b), opts(SweepOptions.Method.RANDOM, SweepOptions.Verify.ALL, 2), ctx(1000));
        assertThat(r.report().passed()).isTrue();
        assertThat(r.report().method()).isEqualTo("random");
        for (SweepReport.Target t : r.report().targets()) {
            assertThat(t.bytesWritten()).isEqualTo(2 * (t.end() - t.start()));
            assertThat(t.bytesVerified()).isEqualTo(2 * (t.end() - t.start()));
        }
        assertThat(events).anyMatch(e -> e.equals("ram0p1: begin verify pass 1 at 0x0"))
                .anyMatch(e -> e.equals("ram0p1: begin verify pass 2 at 0x0")).anyMatch(e -> e.equals("ram1: begin write pass 2 at 0x10000"));
        assertThat(a.contents().mismatch(b.contents())).as("targets get different streams").isNotEqualTo(-1);
        assertThat(b.contents().asSlice(0, 0x10000).mismatch(MemorySegment.ofArray(new byte[0x10000]))).as("boot area untouched").isEqualTo(-1);
        assertThat(Files.readString(r.reportJson())).contains("\"verify\" : \"all\"");
    }

    /** Silently corrupts one byte of every write touching {@code at}: verify must notice. */
    static final class CorruptingDevice extends Delegating {
        final long at;

        CorruptingDevice(SweepDevice inner, long at) {
            super(inner);
            this.at = at;
        }

        @Override
        public void write(long offset, MemorySegment src, boolean fua) {
            inner.write(offset, src, fua);
            if (at >= offset && at < offset + src.byteSize()) {
                MemorySegment one = java.lang.foreign.Arena.ofAuto().allocate(inner.logicalBlockSize());
                long blk = at / inner.logicalBlockSize() * inner.logicalBlockSize();
                inner.read(blk, one);
                one.set(ValueLayout.JAVA_BYTE, at - blk, (byte) (one.get(ValueLayout.JAVA_BYTE, at - blk) ^ 0x5a));
                inner.write(blk, one, false);
            }
        }
    }

    @Test
    void shouldReportAMismatchWithItsOffsetAndFinishTheRunFailed() {
        MemorySweepDevice d = new MemorySweepDevice(MemorySweepDevice.Spec.partition("ram0p2", SIZE));
        long bad = 0x123457;
        Sweeper.Result r = sweep(List.of(new CorruptingDevice(d, bad)), opts(SweepOptions.Method.RANDOM, SweepOptions.Verify.LAST, 1), ctx(1000));
        SweepReport.Target t = r.report().targets().getFirst();
        assertThat(r.report().result()).isEqualTo("failed");
        assertThat(t.verifyResult()).isEqualTo("failed");
        assertThat(t.mismatches()).isEqualTo(1);
        assertThat(t.errors()).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo("MISMATCH");
            assertThat(e.offset()).isEqualTo(bad);
            assertThat(e.message()).contains("first differing byte at 0x123457");
        });
        assertThat(t.bytesVerified()).as("the rest was still verified").isEqualTo(SIZE - 512);
        assertThat(r.report().text()).contains("result:      FAILED").contains("MISMATCH verify pass 1 at 0x123457");
    }

    @Test
    void shouldGiveAnHonestFailedReportForWriteAndReadErrors() {
        MemorySweepDevice d = new MemorySweepDevice(MemorySweepDevice.Spec.partition("bad0", SIZE).withWriteZeroes(false));
        d.contents().fill((byte) 0xff); // what a failed write leaves behind must not read as zeros
        var failing = new ErrorInjectingSweepDevice(d, List.of(new ErrorInjectingSweepDevice.Range(0x300000, 1024)),
                List.of(new ErrorInjectingSweepDevice.Range(0x100200, 1536)));
        Sweeper.Result r = sweep(List.of(failing), opts(SweepOptions.Method.ZEROS, SweepOptions.Verify.LAST, 1), ctx(1000));
        SweepReport.Target t = r.report().targets().getFirst();
        assertThat(r.report().passed()).isFalse();
        assertThat(t.result()).isEqualTo("failed");
        assertThat(t.bytesWritten()).isEqualTo(SIZE - 1536);
        assertThat(t.bytesVerified()).isEqualTo(SIZE - 1536 - 1024);
        assertThat(t.mismatches()).isEqualTo(3);
        assertThat(t.errors()).extracting(e -> e.kind() + " " + e.phase() + " " + Long.toHexString(e.offset()) + "+" + e.length())
                .containsExactly("EIO write 100200+1536", "MISMATCH verify 100200+1536", "EIO verify 300000+1024");
        assertThat(t.errors().getFirst().message()).contains("bad0: write error at 1049088 (injected)");
        assertThat(r.report().text()).contains("EIO write pass 1 at 0x100200+1536");
    }

    /** Sets the stop flag when a write reaches {@code at}, as Ctrl-C would. */
    static final class StoppingDevice extends Delegating {
        final long at;
        final AtomicBoolean stop;

        StoppingDevice(SweepDevice inner, long at, AtomicBoolean stop) {
            super(inner);
            this.at = at;
            this.stop = stop;
        }

        @Override
        public void write(long offset, MemorySegment src, boolean fua) {
            inner.write(offset, src, fua);
            if (offset + src.byteSize() > at) {
                stop.set(true);
            }
        }
    }

    @Test
    void shouldStopAtAChunkBoundaryAndResumeWithTheSameKey() throws Exception {
        MemorySweepDevice d = new MemorySweepDevice(MemorySweepDevice.Spec.whole("ram0", SIZE));
        AtomicBoolean stop = new AtomicBoolean();
        StoppingDevice stopping = new StoppingDevice(d, 0x200000, stop);
        SweepOptions o = opts(SweepOptions.Method.RANDOM, SweepOptions.Verify.LAST, 2);
        Sweeper.Result first = Sweeper.start(SweepPlan.of(List.of(stopping), o, true), List.of(stopping), ctx(1000), stop);
        assertThat(first.status()).isEqualTo(Sweeper.Status.STOPPED);
        SweepState saved = SweepState.load(first.stateFile());
        assertThat(saved.targets.getFirst().phase).isZero();
        assertThat(saved.targets.getFirst().position).isEqualTo(0x210000).matches(p -> p % CHUNK == 0);
        assertThat(Files.getPosixFilePermissions(first.stateFile())).extracting(Object::toString).containsOnly("OWNER_READ", "OWNER_WRITE");
        assertThatThrownBy(() -> Sweeper.start(SweepPlan.of(List.of(d), o, true), List.of(d), ctx(1000), new AtomicBoolean()))
                .hasMessageContaining("exists: continue it with --resume");
        Sweeper.Result second = Sweeper.resume(List.of(d), ctx(1000), new AtomicBoolean());
        assertThat(second.status()).isEqualTo(Sweeper.Status.COMPLETED);
        assertThat(second.report().passed()).isTrue();
        assertThat(second.report().resumes()).isEqualTo(1);
        assertThat(second.report().targets().getFirst().bytesVerified()).isEqualTo(SIZE - 0x10000);
        assertThat(events).contains("ram0: resume write pass 1 at 0x210000");
        assertThatThrownBy(() -> Sweeper.resume(List.of(d), ctx(1000), new AtomicBoolean()))
                .isInstanceOf(SweepException.class).hasMessageContaining("no interrupted sweep");
    }

    /** A crash in the middle of a pass: unflushed writes are lost (garbled), and the thread dies without cleanup. */
    static final class CrashingDevice extends Delegating {
        final long at;
        final List<long[]> unflushed = new ArrayList<>();

        CrashingDevice(SweepDevice inner, long at) {
            super(inner);
            this.at = at;
        }

        static final class Crash extends Error {
            private static final long serialVersionUID = 1L;
        }

        @Override
        public synchronized void write(long offset, MemorySegment src, boolean fua) {
            if (offset >= at) {
                for (long[] r : unflushed) { // what a volatile cache would lose
                    inner.write(r[0], MemorySegment.ofArray(new byte[(int) r[1]]).fill((byte) 0xee), false);
                }
                throw new Crash();
            }
            inner.write(offset, src, fua);
            unflushed.add(new long[] {offset, src.byteSize()});
        }

        @Override
        public synchronized void flush() {
            inner.flush();
            unflushed.clear();
        }
    }

    @Test
    void shouldResumeFromTheStateAKilledRunLeftAndRedoOnlyWhatWasInFlight() throws Exception {
        for (long checkpointMillis : new long[] {0, 60_000}) {
            Path dir = Files.createDirectories(state.resolve("c" + checkpointMillis));
            Sweeper.Context c = new Sweeper.Context(dir, "testhost", "0.1.0", null, checkpointMillis);
            MemorySweepDevice d = new MemorySweepDevice(MemorySweepDevice.Spec.partition("ram0p1", SIZE));
            SweepOptions o = opts(SweepOptions.Method.RANDOM, SweepOptions.Verify.LAST, 1);
            CrashingDevice crashing = new CrashingDevice(d, 0x280000);
            assertThatThrownBy(() -> Sweeper.start(SweepPlan.of(List.of(crashing), o, true), List.of(crashing), c, new AtomicBoolean()))
                    .isInstanceOf(CrashingDevice.Crash.class);
            SweepState left = Sweeper.interrupted(dir, List.of("ram0p1"));
            long expected = checkpointMillis == 0 ? 0x280000 : 0; // only flushed data is ever recorded
            assertThat(left.targets.getFirst().position).as("checkpoint every %d ms", checkpointMillis).isEqualTo(expected);
            Sweeper.Result r = Sweeper.resume(List.of(d), c, new AtomicBoolean());
            assertThat(r.report().passed()).as("resumed after a crash, checkpoint every %d ms", checkpointMillis).isTrue();
            assertThat(r.report().targets().getFirst().bytesVerified()).isEqualTo(SIZE);
        }
    }

    @Test
    void shouldRefuseToResumeOnADifferentDevice() {
        MemorySweepDevice d = new MemorySweepDevice(MemorySweepDevice.Spec.partition("ram0p1", SIZE));
        AtomicBoolean stop = new AtomicBoolean(true);
        Sweeper.Result r = Sweeper.start(SweepPlan.of(List.of(d), opts(SweepOptions.Method.ZEROS, SweepOptions.Verify.OFF, 1), true), List.of(d), ctx(1000), stop);
        assertThat(r.status()).isEqualTo(Sweeper.Status.STOPPED);
        MemorySweepDevice other = new MemorySweepDevice(MemorySweepDevice.Spec.partition("ram0p1", SIZE * 2));
        assertThatThrownBy(() -> Sweeper.resume(List.of(other), ctx(1000), new AtomicBoolean()))
                .isInstanceOf(SweepException.class).hasMessageContaining("is not the device the interrupted run swept");
    }
}

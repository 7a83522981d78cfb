package dev.jdm.hw.emu.virtio;

import static dev.jdm.hw.emu.virtio.VirtioBlk.*;
import static dev.jdm.hw.emu.virtio.VirtioPci.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.hw.emu.Backing;
import dev.jdm.hw.emu.PciConfigSpace;
import dev.jdm.hw.emu.RamBacking;
import dev.jdm.hw.emu.virtio.TestBoard.Dma;
import dev.jdm.hw.emu.virtio.TestDriver.Part;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several workers on one queue: completion out of ring order, and what reset, unplug, bus
 * mastering turned off and a buffer freed under a copy do while copies straight into the driver's
 * buffers are in progress.
 */
class VirtioBlkWorkersConcurrentTest {
    private static final int DATA = 64 * 1024; // one copy: under the worker's chunk size
    private static final byte UNTOUCHED = 0x7f;

    private final RamBacking ram = new RamBacking(1 << 20);
    private final HeldBacking disk = new HeldBacking();
    private final TestBoard board = new TestBoard();
    private VirtioBlkDevice dev;
    private TestDriver drv;

    @AfterEach
    void close() {
        disk.release.countDown();
        if (drv != null) {
            drv.close();
        }
        ram.close();
    }

    @Test
    void shouldCompleteAFastRequestWhileASlowOneIsStillServed() throws Exception {
        up(2, 1);
        pattern(3);
        disk.holdAt(0);
        Dma data = board.map(DATA);
        Dma slowStatus = status();
        int slow = drv.add(Part.out(drv.header(T_IN, 0)), Part.in(data), Part.in(slowStatus));
        drv.kick();
        assertThat(disk.entered.await(10, TimeUnit.SECONDS)).isTrue();

        Dma fastStatus = status();
        int fast = drv.add(Part.out(drv.header(T_FLUSH, 0)), Part.in(fastStatus));
        drv.kick();
        assertThat(drv.awaitUsed(1)).containsExactly(new TestDriver.Used(fast, 1));
        assertThat(fastStatus.mem().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) S_OK);
        assertThat(slowStatus.mem().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo(UNTOUCHED);

        disk.release.countDown();
        assertThat(drv.awaitUsed(1)).containsExactly(new TestDriver.Used(slow, DATA + 1));
        assertThat(slowStatus.mem().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) S_OK);
        assertThat(data.mem().mismatch(ram.contents().asSlice(0, DATA))).isEqualTo(-1);
        assertThat(board.messages()).containsExactly(1, 1);
    }

    @Test
    void shouldTouchNoDmaMemoryOnceAResetWithCopiesInProgressReadsBackZero() throws Exception {
        up(4, 4);
        List<Dma> statuses = submitHeldReads(4);
        releaseLater(200);
        long t0 = System.nanoTime();
        drv.status(0);
        int status = drv.status();
        long waited = System.nanoTime() - t0;
        disk.sealed = true;
        board.seal();
        assertThat(status).isZero();

        Thread.sleep(300); // past the release: a copy the reset did not wait for would go on now
        assertThat(disk.late.get()).as("pieces copied into DMA memory after the reset").isZero();
        assertThat(board.violations()).isZero();
        assertThat(waited).as("the reset waited for the copies in progress").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
        assertThat(disk.finished.get()).as("copies that ended before the reset did").isEqualTo(4);
        assertThat(drv.usedIdx()).isZero();
        statuses.forEach(s -> assertThat(s.mem().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo(UNTOUCHED));

        // the workers serve the device set up again
        disk.sealed = false;
        board.unseal();
        setUp();
        pattern(9);
        Dma data = board.map(DATA);
        assertThat(drv.request(T_IN, 0, Part.in(data))).isEqualTo(S_OK);
        assertThat(data.mem().mismatch(ram.contents().asSlice(0, DATA))).isEqualTo(-1);
    }

    @Test
    void shouldTouchNoDmaMemoryOnceUnplugReturnsWithCopiesInProgress() throws Exception {
        up(4, 4);
        submitHeldReads(4);
        releaseLater(200);
        long t0 = System.nanoTime();
        dev.unplug();
        long waited = System.nanoTime() - t0;
        disk.sealed = true;
        board.seal();

        Thread.sleep(300);
        assertThat(disk.late.get()).as("pieces copied into DMA memory after unplug").isZero();
        assertThat(board.violations()).isZero();
        assertThat(waited).as("unplug waited for the copies in progress").isBetween(TimeUnit.MILLISECONDS.toNanos(150), TimeUnit.SECONDS.toNanos(5));
        assertThat(disk.finished.get()).isEqualTo(4);
        assertThat(drv.usedIdx()).isZero();
    }

    @Test
    void shouldTouchNoDmaMemoryOnceBusMasteringIsTurnedOffWithCopiesInProgress() throws Exception {
        up(2, 2);
        List<Dma> statuses = submitHeldReads(2);
        releaseLater(200);
        long t0 = System.nanoTime();
        drv.command(0, PciConfigSpace.COMMAND_BUS_MASTER);
        long waited = System.nanoTime() - t0;
        disk.sealed = true;
        board.seal();

        Thread.sleep(300);
        assertThat(disk.late.get()).as("pieces copied into DMA memory after bus mastering went off").isZero();
        assertThat(board.violations()).isZero();
        assertThat(waited).as("the command write waited for the copies in progress").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
        assertThat(drv.usedIdx()).isZero();

        // the copies were done; with bus mastering back the requests complete
        disk.sealed = false;
        board.unseal();
        drv.command(PciConfigSpace.COMMAND_BUS_MASTER, 0);
        assertThat(drv.awaitUsed(2)).hasSize(2);
        statuses.forEach(s -> assertThat(s.mem().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) S_OK));
    }

    @Test
    void shouldNeedResetWhenTheDriverFreesABufferUnderACopyAndKeepItsWorker() throws Exception {
        up(1, 1);
        disk.holdAt(0);
        Arena freed = Arena.ofShared();
        Dma data = board.mapIn(freed, DATA);
        drv.add(Part.out(drv.header(T_IN, 0)), Part.in(data), Part.in(status()));
        drv.kick();
        assertThat(disk.entered.await(10, TimeUnit.SECONDS)).isTrue();
        board.unmap(data);
        freed.close();
        disk.release.countDown();
        TestDriver.await(() -> (drv.status() & STATUS_NEEDS_RESET) != 0, () -> "DEVICE_NEEDS_RESET");
        assertThat(drv.nothingUsedFor(50)).isTrue();

        drv.status(0);
        assertThat(drv.status()).isZero();
        setUp();
        Dma fresh = board.map(DATA);
        assertThat(drv.request(T_IN, 0, Part.in(fresh))).as("the one worker is still there").isEqualTo(S_OK);
    }

    @Test
    void shouldNeedResetWhenTheDriverOffersAChainTheDeviceStillHolds() throws Exception {
        up(2, 1);
        disk.holdAt(0);
        int head = drv.add(Part.out(drv.header(T_IN, 0)), Part.in(board.map(DATA)), Part.in(status()));
        drv.kick();
        assertThat(disk.entered.await(10, TimeUnit.SECONDS)).isTrue();
        drv.offer(head);
        drv.kick();
        TestDriver.await(() -> (drv.status() & STATUS_NEEDS_RESET) != 0, () -> "DEVICE_NEEDS_RESET");
        disk.release.countDown();
        assertThat(drv.nothingUsedFor(100)).isTrue();
    }

    /** {@code n} reads of {@link #DATA} bytes, each held by the backing after its first piece; returns their status buffers. */
    private List<Dma> submitHeldReads(int n) throws InterruptedException {
        List<Dma> statuses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Dma s = status();
            statuses.add(s);
            drv.add(Part.out(drv.header(T_IN, (long) i * DATA / SECTOR)), Part.in(board.map(DATA)), Part.in(s));
        }
        drv.kick();
        assertThat(disk.entered.await(10, TimeUnit.SECONDS)).as("all %d copies under way", n).isTrue();
        return statuses;
    }

    private void releaseLater(long millis) {
        Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            disk.release.countDown();
        });
    }

    /** A device on {@code workers} workers, brought up with MSI-X; the backing holds {@code held} reads before letting any go on. */
    private void up(int workers, int held) {
        disk.hold(held);
        dev = new VirtioBlkDevice(disk, "jdm-vblk0", false, workers);
        drv = new TestDriver(dev, board);
        drv.enable();
        drv.msix(true);
        drv.unmask(0);
        drv.unmask(1);
        setUp();
    }

    private void setUp() {
        drv.negotiate(drv.deviceFeatures());
        drv.common(CONFIG_MSIX_VECTOR, 2, 0);
        drv.setupQueue(16, 1);
        drv.driverOk();
    }

    private Dma status() {
        Dma s = board.map(1);
        s.mem().set(ValueLayout.JAVA_BYTE, 0, UNTOUCHED);
        return s;
    }

    /** Writes a pattern into the disk's first {@link #DATA} bytes. */
    private void pattern(int seed) throws IOException {
        MemorySegment m = MemorySegment.ofArray(new byte[DATA]);
        for (long i = 0; i < DATA; i++) {
            m.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed | 1));
        }
        ram.write(0, m);
    }

    /**
     * The RAM disk, whose reads copy into the driver's buffer in 4 KiB pieces: a held read copies
     * its first piece (or none, {@link #holdAt}), counts {@link #entered} down and waits for
     * {@link #release}. Every piece copied while {@link #sealed} counts as {@link #late}: the
     * device touched DMA memory when it promised not to.
     */
    private final class HeldBacking implements Backing {
        private static final int PIECE = 4096;
        volatile CountDownLatch entered = new CountDownLatch(0);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger late = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        volatile boolean sealed;
        private volatile int firstPieces = 1;

        /** The next {@code n} reads are held after their first piece. */
        void hold(int n) {
            entered = new CountDownLatch(n);
        }

        /** The next held read is held before it copies anything. */
        void holdAt(int pieces) {
            firstPieces = pieces;
        }

        @Override
        public long size() {
            return ram.size();
        }

        @Override
        public void read(long offset, MemorySegment dst) throws IOException {
            boolean held = entered.getCount() > 0;
            long first = held ? Math.min(dst.byteSize(), (long) firstPieces * PIECE) : dst.byteSize();
            copy(offset, dst, 0, first);
            if (held) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
            copy(offset, dst, first, dst.byteSize());
            finished.incrementAndGet();
        }

        private void copy(long offset, MemorySegment dst, long from, long to) throws IOException {
            for (long at = from; at < to; at += PIECE) {
                if (sealed) {
                    late.incrementAndGet();
                }
                ram.read(offset + at, dst.asSlice(at, Math.min(PIECE, to - at)));
            }
        }

        @Override
        public void write(long offset, MemorySegment src) throws IOException {
            if (sealed) {
                late.incrementAndGet();
            }
            ram.write(offset, src);
        }

        @Override
        public void flush() {
        }

        @Override
        public void discard(long offset, long length) throws IOException {
            ram.discard(offset, length);
        }

        @Override
        public void writeZeroes(long offset, long length) throws IOException {
            ram.writeZeroes(offset, length);
        }

        @Override
        public void close() {
        }
    }
}

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
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fault switches, what a driver's bad ring or DMA address does (DEVICE_NEEDS_RESET), bus
 * mastering, and removal or reset with requests in flight.
 */
class VirtioBlkFaultTest {
    private final RamBacking ram = new RamBacking(1 << 20);
    private final GateBacking disk = new GateBacking();
    private final VirtioBlkDevice dev = new VirtioBlkDevice(disk, "jdm-vblk0", false);
    private final TestBoard board = new TestBoard();
    private final TestDriver drv = new TestDriver(dev, board);

    @AfterEach
    void close() {
        disk.release.countDown();
        drv.close();
        ram.close();
    }

    @Test
    void shouldFailEveryNthRequest() {
        up(true);
        dev.faults().errorEvery(3);
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            statuses.add(drv.request(T_FLUSH, 0));
        }
        assertThat(statuses).containsExactly(S_OK, S_OK, S_IOERR, S_OK, S_OK, S_IOERR);
        assertThat(disk.flushes).isEqualTo(4); // a failed request does not reach the backing
    }

    @Test
    void shouldDelayEachCompletion() {
        up(true);
        dev.faults().delayMicros(200_000);
        long t0 = System.nanoTime();
        assertThat(drv.request(T_FLUSH, 0)).isEqualTo(S_OK);
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
    }

    @Test
    void shouldLoseEveryNthInterrupt() {
        up(true);
        dev.faults().dropInterruptEvery(2);
        for (int i = 0; i < 4; i++) {
            drv.request(T_FLUSH, 0);
        }
        assertThat(board.messages()).containsExactly(1, 1);
        assertThat(drv.usedIdx()).isEqualTo(4);
    }

    @Test
    void shouldLoseAnIntxButKeepItsCauseInIsr() {
        up(false);
        dev.faults().dropInterruptEvery(1);
        drv.request(T_FLUSH, 0);
        assertThat(board.intxChanges()).isEmpty();
        assertThat(drv.cfg(PciConfigSpace.STATUS, 2) & 0x08).isEqualTo(0x08);
        assertThat(drv.isr()).isEqualTo(ISR_QUEUE);
    }

    @Test
    void shouldAddASpuriousMessageAfterEveryNth() {
        up(true);
        dev.faults().spuriousInterruptEvery(2);
        drv.request(T_FLUSH, 0);
        drv.request(T_FLUSH, 0);
        assertThat(board.messages()).containsExactly(1, 1, 1);
    }

    @Test
    void shouldKeepIntxAssertedOnceMoreForASpuriousInterrupt() {
        up(false);
        dev.faults().spuriousInterruptEvery(2);
        drv.request(T_FLUSH, 0);
        assertThat(drv.isr()).isEqualTo(ISR_QUEUE);
        drv.request(T_FLUSH, 0);
        assertThat(drv.isr()).isEqualTo(ISR_QUEUE);
        assertThat(board.intxAsserted()).isTrue(); // the handler runs again ...
        assertThat(drv.isr()).isZero(); // ... and finds nothing
        assertThat(board.intxChanges()).containsExactly(true, false, true, false);
    }

    @Test
    void shouldNeverCompleteAResetWhileStuckBusy() {
        up(true);
        int before = drv.status();
        dev.faults().stuckBusy(true);
        drv.status(0);
        assertThat(drv.status()).isEqualTo(before);
        drv.common(QUEUE_SELECT, 2, 0);
        assertThat(drv.common(QUEUE_ENABLE, 2)).isEqualTo(1);
        dev.faults().stuckBusy(false);
        assertThat(drv.status()).isZero();
        assertThat(drv.common(QUEUE_ENABLE, 2)).isZero();
    }

    @Test
    void shouldNeedResetAfterADmaFaultAndServeNothingUntilReset() {
        up(true);
        Dma status = board.map(1);
        drv.add(Part.out(drv.header(T_IN, 0)), new Part(0xbad0_0000L, SECTOR, true), Part.in(status));
        drv.kick();
        TestDriver.await(() -> (drv.status() & STATUS_NEEDS_RESET) != 0, () -> "DEVICE_NEEDS_RESET");
        assertThat(board.dmaFaults()).isEqualTo(1);
        assertThat(drv.nothingUsedFor(50)).isTrue();

        drv.add(Part.out(drv.header(T_FLUSH, 0)), Part.in(board.map(1)));
        drv.kick();
        assertThat(drv.nothingUsedFor(100)).isTrue();
        assertThat(disk.flushes).isZero();

        drv.status(0);
        assertThat(drv.status()).isZero();
        drv.negotiate(drv.deviceFeatures());
        drv.common(CONFIG_MSIX_VECTOR, 2, 0);
        drv.setupQueue(16, 1);
        drv.driverOk();
        assertThat(drv.request(T_FLUSH, 0)).isEqualTo(S_OK);
    }

    @Test
    void shouldNeedResetForADescriptorTableOutsideMappedMemory() {
        up(true);
        drv.status(0);
        drv.negotiate(drv.deviceFeatures());
        drv.common(QUEUE_SELECT, 2, 0);
        drv.common(QUEUE_SIZE, 2, 16);
        Dma avail = board.map(6 + 32);
        drv.common(QUEUE_DESC, 8, 0x7777_0000L);
        drv.common(QUEUE_DRIVER, 8, avail.bus());
        drv.common(QUEUE_DEVICE, 8, board.map(6 + 128).bus());
        drv.common(QUEUE_ENABLE, 2, 1);
        drv.driverOk();
        avail.mem().set(Le.U16, 2, (short) 1);
        drv.reg(drv.notifyAt, 2, 0);
        TestDriver.await(() -> (drv.status() & STATUS_NEEDS_RESET) != 0, () -> "DEVICE_NEEDS_RESET");
    }

    @Test
    void shouldNeedResetForAChainWithoutAStatusByte() {
        up(true);
        drv.add(Part.out(drv.header(T_FLUSH, 0)));
        drv.kick();
        TestDriver.await(() -> (drv.status() & STATUS_NEEDS_RESET) != 0, () -> "DEVICE_NEEDS_RESET");
    }

    @Test
    void shouldNeedResetForALoopedChain() {
        up(true);
        Dma h = drv.header(T_FLUSH, 0);
        drv.descriptor(0, h.bus(), 16, DescriptorChain.F_NEXT, 1);
        drv.descriptor(1, h.bus(), 16, DescriptorChain.F_NEXT, 0);
        drv.offer(0);
        drv.kick();
        TestDriver.await(() -> (drv.status() & STATUS_NEEDS_RESET) != 0, () -> "DEVICE_NEEDS_RESET");
    }

    @Test
    void shouldNeedResetForAnIndirectDescriptor() {
        up(true);
        drv.descriptor(0, board.map(32).bus(), 32, DescriptorChain.F_INDIRECT, 0);
        drv.offer(0);
        drv.kick();
        TestDriver.await(() -> (drv.status() & STATUS_NEEDS_RESET) != 0, () -> "DEVICE_NEEDS_RESET");
    }

    @Test
    void shouldNeedResetForAnAvailableIndexTooFarAhead() {
        up(true);
        drv.avail.mem().set(Le.U16, 2, (short) 17); // queue of 16
        drv.reg(drv.notifyAt, 2, 0);
        TestDriver.await(() -> (drv.status() & STATUS_NEEDS_RESET) != 0, () -> "DEVICE_NEEDS_RESET");
    }

    @Test
    void shouldDoNoDmaWithoutBusMastering() {
        up(true);
        drv.command(0, PciConfigSpace.COMMAND_BUS_MASTER);
        int dma = board.dmaCalls();
        drv.add(Part.out(drv.header(T_FLUSH, 0)), Part.in(board.map(1)));
        drv.kick();
        assertThat(drv.nothingUsedFor(100)).isTrue();
        assertThat(board.dmaCalls()).isEqualTo(dma);
        drv.command(PciConfigSpace.COMMAND_BUS_MASTER, 0);
        assertThat(drv.awaitUsed(1)).hasSize(1);
    }

    @Test
    void shouldStopAtOnceWhenUnpluggedWithRequestsInFlight() throws Exception {
        up(true);
        dev.faults().delayMicros(TimeUnit.SECONDS.toMicros(60));
        for (int i = 0; i < 3; i++) {
            drv.add(Part.out(drv.header(T_FLUSH, 0)), Part.in(board.map(1)));
        }
        drv.kick();
        assertThat(disk.entered.await(10, TimeUnit.SECONDS)).isTrue(); // the first is waiting out its delay

        long t0 = System.nanoTime();
        dev.unplug();
        board.seal();
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(1));
        assertThat(dev.barRead(0, NUM_QUEUES, 2)).isEqualTo(0xffff);
        assertThat(dev.configRead(0, 4)).isEqualTo(0xffffffff);
        dev.barWrite(0, drv.notifyAt, 2, 0);
        dev.barWrite(0, DEVICE_STATUS, 1, 0);
        Thread.sleep(100);
        assertThat(board.violations()).isZero();
        assertThat(drv.usedIdx()).isZero();
    }

    @Test
    void shouldWaitOnlyForTheBackingCallInProgressWhenUnplugged() throws Exception {
        up(true);
        disk.holdFlush = true;
        drv.add(Part.out(drv.header(T_FLUSH, 0)), Part.in(board.map(1)));
        drv.kick();
        assertThat(disk.entered.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.ofPlatform().start(() -> {
            sleep(200);
            disk.release.countDown();
        });
        long t0 = System.nanoTime();
        dev.unplug();
        board.seal();
        assertThat(System.nanoTime() - t0).isBetween(TimeUnit.MILLISECONDS.toNanos(150), TimeUnit.SECONDS.toNanos(5));
        Thread.sleep(100);
        assertThat(board.violations()).isZero();
        assertThat(drv.usedIdx()).isZero();
    }

    @Test
    void shouldDropARequestInFlightOnReset() throws Exception {
        up(true);
        dev.faults().delayMicros(TimeUnit.SECONDS.toMicros(60));
        Dma status = board.map(1);
        status.mem().set(ValueLayout.JAVA_BYTE, 0, (byte) 0x7f);
        drv.add(Part.out(drv.header(T_FLUSH, 0)), Part.in(status));
        drv.kick();
        assertThat(disk.entered.await(10, TimeUnit.SECONDS)).isTrue();
        drv.status(0);
        assertThat(drv.status()).isZero();
        dev.faults().delayMicros(0);
        Dma oldUsed = drv.used;
        drv.negotiate(drv.deviceFeatures());
        drv.common(CONFIG_MSIX_VECTOR, 2, 0);
        drv.setupQueue(16, 1);
        drv.driverOk();
        assertThat(drv.request(T_FLUSH, 0)).isEqualTo(S_OK);
        assertThat(oldUsed.mem().get(Le.U16, 2)).isZero();
        assertThat(status.mem().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 0x7f);
    }

    @Test
    void shouldNotServeBeforeDriverOk() {
        drv.enable();
        drv.negotiate(drv.deviceFeatures());
        drv.setupQueue(16, NO_VECTOR);
        drv.add(Part.out(drv.header(T_FLUSH, 0)), Part.in(board.map(1)));
        drv.kick();
        assertThat(drv.nothingUsedFor(100)).isTrue();
        drv.driverOk();
        assertThat(drv.awaitUsed(1)).hasSize(1);
    }

    @Test
    void shouldNotServeAfterFeaturesWereRefused() {
        drv.enable();
        assertThat(drv.negotiate(1L << 9) & STATUS_FEATURES_OK).isZero();
        drv.setupQueue(16, NO_VECTOR);
        drv.driverOk();
        drv.add(Part.out(drv.header(T_FLUSH, 0)), Part.in(board.map(1)));
        drv.kick();
        assertThat(drv.nothingUsedFor(100)).isTrue();
    }

    private void up(boolean msix) {
        drv.enable();
        if (msix) {
            drv.msix(true);
            drv.unmask(0);
            drv.unmask(1);
        }
        drv.negotiate(drv.deviceFeatures());
        drv.common(CONFIG_MSIX_VECTOR, 2, msix ? 0 : NO_VECTOR);
        drv.setupQueue(16, msix ? 1 : NO_VECTOR);
        drv.driverOk();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The RAM disk; flush signals {@link #entered} and, if {@link #holdFlush}, waits for {@link #release}. */
    private final class GateBacking implements Backing {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean holdFlush;
        volatile int flushes;

        @Override
        public long size() {
            return ram.size();
        }

        @Override
        public void read(long offset, MemorySegment dst) throws IOException {
            ram.read(offset, dst);
        }

        @Override
        public void write(long offset, MemorySegment src) throws IOException {
            ram.write(offset, src);
        }

        @Override
        public void flush() throws IOException {
            flushes++;
            entered.countDown();
            if (holdFlush) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
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

package dev.jdm.hw.emu.virtio;

import static dev.jdm.hw.emu.virtio.VirtioBlk.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.hw.emu.RamBacking;
import dev.jdm.hw.emu.virtio.TestBoard.Dma;
import dev.jdm.hw.emu.virtio.TestDriver.Part;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A device that serves a kick in the thread that wrote the doorbell: the request is done when the write returns. */
class VirtioBlkInlineKickTest {
    private final RamBacking ram = new RamBacking(1 << 20);
    private final VirtioBlkDevice dev = new VirtioBlkDevice(ram, "inline", false, 1, true);
    private final TestDriver drv = TestDriver.ready(dev, new TestBoard());

    @AfterEach
    void close() {
        drv.close();
        ram.close();
    }

    @Test
    void shouldHaveServedTheChainWhenTheKickReturnsOnTheKickingThread() {
        Dma out = drv.board.map(4 * SECTOR);
        out.mem().fill((byte) 0x5a);
        Dma status = drv.board.map(1);
        status.mem().set(ValueLayout.JAVA_BYTE, 0, (byte) 0xff);
        int used = drv.usedIdx();
        drv.add(Part.out(drv.header(T_OUT, 8)), Part.out(out), Part.in(status));
        drv.kick();
        assertThat(drv.usedIdx()).as("completed before the doorbell write returned").isEqualTo(used + 1);
        assertThat(status.mem().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) S_OK);
        assertThat(ram.contents().asSlice(8L * SECTOR, 4 * SECTOR).mismatch(out.mem())).isEqualTo(-1);
    }

    @Test
    void shouldLeaveNothingForTheWorkersToServeTwice() {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < 200; i++) {
            Dma in = drv.board.map(SECTOR);
            Dma status = drv.board.map(1);
            drv.add(Part.out(drv.header(T_IN, i)), Part.in(in), Part.in(status));
            drv.kick();
            drv.awaitUsed(1);
            if (status.mem().get(ValueLayout.JAVA_BYTE, 0) != S_OK) {
                failure.set(new AssertionError("request " + i + " failed"));
            }
        }
        assertThat(failure.get()).isNull();
        assertThat(drv.status() & 0x40).as("no chain was served twice (that would be NEEDS_RESET)").isZero();
    }

    @Test
    void shouldHandKicksToTheWorkersWhileADelayFaultIsArmed() {
        dev.faults().delayMicros(200_000);
        Dma in = drv.board.map(SECTOR);
        Dma status = drv.board.map(1);
        int used = drv.usedIdx();
        long start = System.nanoTime();
        drv.add(Part.out(drv.header(T_IN, 1)), Part.in(in), Part.in(status));
        drv.kick();
        long kickNanos = System.nanoTime() - start;
        assertThat(drv.usedIdx()).as("a late device answers from its workers, not inside the doorbell write").isEqualTo(used);
        assertThat(kickNanos).as("the doorbell write did not wait out the delay").isLessThan(150_000_000L);
        drv.awaitUsed(1);
        assertThat(status.mem().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) S_OK);
        dev.faults().delayMicros(0);
        Dma again = drv.board.map(1);
        drv.add(Part.out(drv.header(T_IN, 2)), Part.in(drv.board.map(SECTOR)), Part.in(again));
        drv.kick();
        assertThat(drv.usedIdx()).as("inline again once the fault is cleared").isEqualTo(used + 2);
    }
}

package dev.jdm.hw.emu.virtio;

import static dev.jdm.hw.emu.virtio.VirtioBlk.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.hw.emu.RamBacking;
import dev.jdm.hw.emu.virtio.TestBoard.Dma;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A full ring, many times over: 128 requests of two descriptors each fill the 256-entry table
 * (a block request needs a readable header and a writable status, and INDIRECT is not offered),
 * and enough rounds run for the available and used indexes to wrap past 65535. One worker
 * completes in ring order; several complete in any order, each chain once.
 */
class VirtioBlkRingConcurrentTest {
    private static final int QUEUE = SplitVirtqueue.MAX_SIZE, SLOTS = QUEUE / 2, TOTAL = 66_000;

    private final RamBacking disk = new RamBacking((long) SLOTS * SECTOR);
    private VirtioBlkDevice dev = new VirtioBlkDevice(disk, "jdm-vblk0", false);
    private TestDriver drv = TestDriver.ready(dev, new TestBoard());
    private final Dma[] first = new Dma[SLOTS];
    private final Dma[] second = new Dma[SLOTS];
    private int lastUsed;

    @AfterEach
    void close() {
        drv.close();
        disk.close();
    }

    @Test
    void shouldCompleteFullRingsInOrderAcrossTheIndexWrapWithOneWorker() {
        workers(1);
        fullRings(true);
    }

    @Test
    void shouldCompleteFullRingsInAnyOrderAcrossTheIndexWrapWithFourWorkers() {
        workers(4);
        fullRings(false);
    }

    /** The device under test, on {@code n} workers. */
    private void workers(int n) {
        drv.close();
        dev = new VirtioBlkDevice(disk, "jdm-vblk0", false, n);
        drv = TestDriver.ready(dev, new TestBoard());
    }

    private void fullRings(boolean inOrder) {
        for (int k = 0; k < SLOTS; k++) {
            first[k] = drv.board.map(HEADER + SECTOR); // OUT: header and data in one readable buffer
            second[k] = drv.board.map(SECTOR + 1); // IN: data and status in one writable buffer
        }
        Dma headers = drv.board.map(HEADER * SLOTS);
        Dma statuses = drv.board.map(SLOTS);
        MemorySegment expected = MemorySegment.ofArray(new byte[SECTOR]);
        int rounds = (TOTAL + SLOTS - 1) / SLOTS;
        for (int r = 0; r < rounds; r++) {
            boolean write = r % 2 == 0;
            byte value = (byte) (r / 2 * 7 + 1);
            for (int k = 0; k < SLOTS; k++) {
                if (write) {
                    MemorySegment h = first[k].mem();
                    h.set(Le.U32, 0, T_OUT);
                    h.set(Le.U64, 8, k);
                    h.asSlice(HEADER).fill((byte) (value + k));
                    drv.descriptor(2 * k, first[k].bus(), HEADER + SECTOR, DescriptorChain.F_NEXT, 2 * k + 1);
                    drv.descriptor(2 * k + 1, statuses.at(k), 1, DescriptorChain.F_WRITE, 0);
                } else {
                    MemorySegment h = headers.mem().asSlice((long) HEADER * k, HEADER);
                    h.set(Le.U32, 0, T_IN);
                    h.set(Le.U64, 8, k);
                    second[k].mem().fill((byte) 0x55);
                    drv.descriptor(2 * k, headers.at((long) HEADER * k), HEADER, DescriptorChain.F_NEXT, 2 * k + 1);
                    drv.descriptor(2 * k + 1, second[k].bus(), SECTOR + 1, DescriptorChain.F_WRITE, 0);
                }
                statuses.mem().set(ValueLayout.JAVA_BYTE, k, (byte) 0x7f);
                drv.offer(2 * k);
            }
            drv.kick();
            boolean[] seen = new boolean[SLOTS];
            for (int i = 0; i < SLOTS; i++) {
                TestDriver.Used u = next();
                if (inOrder) {
                    assertThat(u.id()).as("round %d, element %d", r, i).isEqualTo(2 * i); // served in ring order
                }
                assertThat(u.id() % 2).as("round %d, element %d: a head", r, i).isZero();
                int k = u.id() / 2;
                assertThat(seen[k]).as("round %d: chain %d used twice", r, u.id()).isFalse();
                seen[k] = true;
                if (write) {
                    assertThat(u.len()).isEqualTo(1);
                    assertThat(statuses.mem().get(ValueLayout.JAVA_BYTE, k)).isEqualTo((byte) S_OK);
                } else {
                    assertThat(u.len()).isEqualTo(SECTOR + 1);
                    assertThat(second[k].mem().get(ValueLayout.JAVA_BYTE, SECTOR)).isEqualTo((byte) S_OK);
                    expected.fill((byte) ((byte) ((r - 1) / 2 * 7 + 1) + k));
                    assertThat(second[k].mem().asSlice(0, SECTOR).mismatch(expected)).as("round %d, sector %d", r, k).isEqualTo(-1);
                }
            }
        }
        assertThat(drv.usedIdx()).isEqualTo(rounds * SLOTS & 0xffff);
        assertThat(rounds * SLOTS).isGreaterThan(65_535);
    }

    @Test
    void shouldKeepUpWithADriverThatRefillsAsItReaps() {
        Dma headers = drv.board.map(HEADER * SLOTS);
        Dma statuses = drv.board.map(SLOTS);
        for (int k = 0; k < SLOTS; k++) {
            headers.mem().set(Le.U32, (long) HEADER * k, T_FLUSH);
            drv.descriptor(2 * k, headers.at((long) HEADER * k), HEADER, DescriptorChain.F_NEXT, 2 * k + 1);
            drv.descriptor(2 * k + 1, statuses.at(k), 1, DescriptorChain.F_WRITE, 0);
        }
        ArrayDeque<Integer> free = new ArrayDeque<>();
        for (int k = 0; k < SLOTS; k++) {
            free.add(k);
        }
        int submitted = 0, completed = 0;
        long deadline = System.nanoTime() + 4 * TestDriver.TIMEOUT_NANOS;
        while (completed < TOTAL) {
            int added = 0;
            while (!free.isEmpty() && submitted < TOTAL) {
                int k = free.removeFirst();
                statuses.mem().set(ValueLayout.JAVA_BYTE, k, (byte) 0x7f);
                drv.offer(2 * k);
                submitted++;
                added++;
            }
            if (added > 0) {
                drv.kick();
            }
            int ready = (drv.usedIdx() - lastUsed) & 0xffff;
            for (int i = 0; i < ready; i++) {
                TestDriver.Used u = element(lastUsed);
                lastUsed = (lastUsed + 1) & 0xffff;
                int k = u.id() / 2;
                assertThat(statuses.mem().get(ValueLayout.JAVA_BYTE, k)).isEqualTo((byte) S_OK);
                free.add(k);
                completed++;
            }
            if (ready == 0) {
                assertThat(System.nanoTime()).as("completed %d of %d", completed, TOTAL).isLessThan(deadline);
                LockSupport.parkNanos(20_000);
            }
        }
        assertThat(drv.usedIdx()).isEqualTo(TOTAL & 0xffff);
    }

    private TestDriver.Used next() {
        TestDriver.await(() -> drv.usedIdx() != lastUsed, () -> "used idx stuck at " + lastUsed);
        TestDriver.Used u = element(lastUsed);
        lastUsed = (lastUsed + 1) & 0xffff;
        return u;
    }

    private TestDriver.Used element(int idx) {
        MemorySegment e = drv.used.mem().asSlice(4 + 8L * (idx % QUEUE), 8);
        return new TestDriver.Used(e.get(Le.U32, 0), e.get(Le.U32, 4));
    }
}

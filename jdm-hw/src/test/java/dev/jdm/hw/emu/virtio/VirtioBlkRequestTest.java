package dev.jdm.hw.emu.virtio;

import static dev.jdm.hw.emu.virtio.VirtioBlk.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.hw.emu.Backing;
import dev.jdm.hw.emu.RamBacking;
import dev.jdm.hw.emu.virtio.TestBoard.Dma;
import dev.jdm.hw.emu.virtio.TestDriver.Part;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The block requests of §5.2.6, end to end through the queue, checked against the backing. */
class VirtioBlkRequestTest {
    private static final int SECTORS = 2048; // 1 MiB

    private final AtomicInteger flushes = new AtomicInteger();
    private final AtomicBoolean failIo = new AtomicBoolean();
    private final RamBacking ram = new RamBacking((long) SECTORS * SECTOR);
    private final Backing disk = new CountingBacking();
    private VirtioBlkDevice dev = new VirtioBlkDevice(disk, "jdm-vblk0", false);
    private TestDriver drv = TestDriver.ready(dev, new TestBoard());

    @AfterEach
    void close() {
        drv.close();
        ram.close();
    }

    @Test
    void shouldWriteSectorsAndReadThemBack() {
        Dma out = pattern(4 * SECTOR, 7);
        assertThat(drv.request(T_OUT, 100, Part.out(out))).isEqualTo(S_OK);
        assertThat(ram.contents().asSlice(100L * SECTOR, 4 * SECTOR).mismatch(out.mem())).isEqualTo(-1);

        Dma in = drv.board.map(4 * SECTOR);
        assertThat(drv.request(T_IN, 100, Part.in(in))).isEqualTo(S_OK);
        assertThat(in.mem().mismatch(out.mem())).isEqualTo(-1);
    }

    @Test
    void shouldReportTheBytesWrittenInTheUsedElement() {
        Dma status = drv.board.map(1);
        Dma in = drv.board.map(2 * SECTOR);
        drv.add(Part.out(drv.header(T_IN, 0)), Part.in(in), Part.in(status));
        drv.kick();
        assertThat(drv.awaitUsed(1).getFirst().len()).isEqualTo(2 * SECTOR + 1);

        Dma out = drv.board.map(SECTOR);
        drv.add(Part.out(drv.header(T_OUT, 0)), Part.out(out), Part.in(status));
        drv.kick();
        assertThat(drv.awaitUsed(1).getFirst().len()).isEqualTo(1);
    }

    @Test
    void shouldServeChainsSplitAnyWay() {
        // header and data in one readable buffer, data over three descriptors cut off sector boundaries
        Dma whole = drv.board.map(HEADER + 3 * SECTOR);
        whole.mem().set(ValueLayout.JAVA_INT_UNALIGNED, 0, T_OUT);
        whole.mem().set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 10);
        fill(whole.mem().asSlice(HEADER), 3);
        Dma status = drv.board.map(1);
        drv.add(Part.out(whole), Part.in(status));
        drv.kick();
        drv.awaitUsed(1);
        assertThat(status.mem().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) S_OK);
        assertThat(ram.contents().asSlice(10L * SECTOR, 3 * SECTOR).mismatch(whole.mem().asSlice(HEADER))).isEqualTo(-1);

        Dma a = drv.board.map(100);
        Dma b = drv.board.map(412 + 700);
        Dma c = drv.board.map(3 * SECTOR - 100 - 1112 + 1); // the last byte is the status
        drv.add(Part.out(drv.header(T_IN, 10)), Part.in(a), Part.in(b), Part.in(c));
        drv.kick();
        drv.awaitUsed(1);
        MemorySegment expected = whole.mem().asSlice(HEADER);
        assertThat(a.mem().mismatch(expected.asSlice(0, 100))).isEqualTo(-1);
        assertThat(b.mem().mismatch(expected.asSlice(100, 1112))).isEqualTo(-1);
        assertThat(c.mem().asSlice(0, c.mem().byteSize() - 1).mismatch(expected.asSlice(1212))).isEqualTo(-1);
        assertThat(c.mem().get(ValueLayout.JAVA_BYTE, c.mem().byteSize() - 1)).isEqualTo((byte) S_OK);
    }

    @Test
    void shouldMoveLargeRequestsInChunks() {
        Dma out = pattern(600 * 1024, 11); // over two bounce chunks
        assertThat(drv.request(T_OUT, 0, Part.out(out))).isEqualTo(S_OK);
        Dma in = drv.board.map(600 * 1024);
        assertThat(drv.request(T_IN, 0, Part.in(in))).isEqualTo(S_OK);
        assertThat(in.mem().mismatch(out.mem())).isEqualTo(-1);
        assertThat(ram.contents().asSlice(0, 600 * 1024).mismatch(out.mem())).isEqualTo(-1);
    }

    @Test
    void shouldFlushTheBacking() {
        assertThat(drv.request(T_FLUSH, 0)).isEqualTo(S_OK);
        assertThat(flushes.get()).isEqualTo(1);
    }

    @Test
    void shouldDiscardAndWriteZeroes() {
        drv.request(T_OUT, 0, Part.out(pattern(64 * SECTOR, 5)));
        assertThat(drv.request(T_DISCARD, 0, Part.out(drv.segments(0, 8, 0, 16, 8, 0)))).isEqualTo(S_OK);
        assertThat(drv.request(T_WRITE_ZEROES, 0, Part.out(drv.segments(32, 4, SEGMENT_UNMAP, 40, 2, 0)))).isEqualTo(S_OK);
        assertThat(zero(0, 8)).isTrue();
        assertThat(zero(16, 8)).isTrue();
        assertThat(zero(32, 4)).isTrue();
        assertThat(zero(40, 2)).isTrue();
        assertThat(zero(8, 1)).isFalse();
        assertThat(zero(36, 1)).isFalse();
        assertThat(zero(42, 1)).isFalse();
    }

    @Test
    void shouldRefuseDiscardFlagsThatAreNotDefined() {
        drv.request(T_OUT, 0, Part.out(pattern(8 * SECTOR, 5)));
        assertThat(drv.request(T_DISCARD, 0, Part.out(drv.segments(0, 8, SEGMENT_UNMAP)))).isEqualTo(S_UNSUPP);
        assertThat(drv.request(T_WRITE_ZEROES, 0, Part.out(drv.segments(0, 8, 2)))).isEqualTo(S_UNSUPP);
        // one bad segment and nothing is done, not even the good one before it
        assertThat(drv.request(T_WRITE_ZEROES, 0, Part.out(drv.segments(0, 4, 0, SECTORS, 1, 0)))).isEqualTo(S_IOERR);
        assertThat(zero(0, 1)).isFalse();
        assertThat(drv.request(T_DISCARD, 0, Part.out(drv.board.map(8)))).isEqualTo(S_IOERR); // not a whole segment
        assertThat(drv.request(T_DISCARD, 0, Part.out(drv.segments(new long[3 * 17])))).isEqualTo(S_IOERR); // over max_discard_seg
    }

    @Test
    void shouldAnswerGetIdWithTheSerialNulPadded() {
        Dma id = drv.board.map(ID_LENGTH);
        id.mem().fill((byte) 'x');
        assertThat(drv.request(T_GET_ID, 0, Part.in(id))).isEqualTo(S_OK);
        byte[] expected = new byte[ID_LENGTH];
        System.arraycopy("jdm-vblk0".getBytes(StandardCharsets.US_ASCII), 0, expected, 0, 9);
        assertThat(id.mem().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(expected);
    }

    @Test
    void shouldAnswerGetIdWithoutTerminatorForTwentyCharacters() {
        drv.close();
        dev = new VirtioBlkDevice(disk, "ABCDEFGHIJKLMNOPQRST", false);
        drv = TestDriver.ready(dev, new TestBoard());
        Dma id = drv.board.map(ID_LENGTH);
        assertThat(drv.request(T_GET_ID, 0, Part.in(id))).isEqualTo(S_OK);
        assertThat(new String(id.mem().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII)).isEqualTo("ABCDEFGHIJKLMNOPQRST");
    }

    @Test
    void shouldFailSectorsOutsideTheDisk() {
        assertThat(drv.request(T_IN, SECTORS, Part.in(drv.board.map(SECTOR)))).isEqualTo(S_IOERR);
        assertThat(drv.request(T_IN, SECTORS - 1, Part.in(drv.board.map(2 * SECTOR)))).isEqualTo(S_IOERR);
        assertThat(drv.request(T_OUT, -1L, Part.out(drv.board.map(SECTOR)))).isEqualTo(S_IOERR);
        assertThat(drv.request(T_IN, SECTORS - 1, Part.in(drv.board.map(SECTOR)))).isEqualTo(S_OK);
        assertThat(drv.request(T_IN, 0, Part.in(drv.board.map(SECTOR + 1)))).isEqualTo(S_IOERR); // not whole sectors
    }

    @Test
    void shouldFailWritesToAReadOnlyDiskAndLeaveItAsItWas() {
        drv.close();
        dev = new VirtioBlkDevice(disk, "jdm-vblk0", true);
        drv = TestDriver.ready(dev, new TestBoard());
        assertThat(drv.deviceFeatures() & bit(F_RO)).isNotZero();
        assertThat(drv.request(T_OUT, 0, Part.out(pattern(SECTOR, 9)))).isEqualTo(S_IOERR);
        assertThat(drv.request(T_WRITE_ZEROES, 0, Part.out(drv.segments(0, 1, 0)))).isEqualTo(S_IOERR);
        assertThat(drv.request(T_DISCARD, 0, Part.out(drv.segments(0, 1, 0)))).isEqualTo(S_IOERR);
        assertThat(zero(0, SECTORS)).isTrue();
        assertThat(drv.request(T_IN, 0, Part.in(drv.board.map(SECTOR)))).isEqualTo(S_OK);
        assertThat(drv.request(T_FLUSH, 0)).isEqualTo(S_OK);
    }

    @Test
    void shouldAnswerUnsupportedForOtherTypes() {
        assertThat(drv.request(10, 0, Part.in(drv.board.map(6)))).isEqualTo(S_UNSUPP); // GET_LIFETIME
        assertThat(drv.request(14, 0, Part.out(drv.segments(0, 1, 0)))).isEqualTo(S_UNSUPP); // SECURE_ERASE
    }

    @Test
    void shouldAnswerUnsupportedForDiscardWhenTheDriverDidNotTakeTheFeature() {
        drv.close();
        dev = new VirtioBlkDevice(disk, "jdm-vblk0", false);
        drv = new TestDriver(dev, new TestBoard());
        drv.enable();
        drv.negotiate(VirtioPci.F_VERSION_1);
        drv.setupQueue(16, VirtioPci.NO_VECTOR);
        drv.driverOk();
        assertThat(drv.request(T_DISCARD, 0, Part.out(drv.segments(0, 1, 0)))).isEqualTo(S_UNSUPP);
        assertThat(drv.request(T_WRITE_ZEROES, 0, Part.out(drv.segments(0, 1, 0)))).isEqualTo(S_UNSUPP);
    }

    @Test
    void shouldFailWithIoErrWhenTheBackingFails() {
        failIo.set(true);
        assertThat(drv.request(T_IN, 0, Part.in(drv.board.map(SECTOR)))).isEqualTo(S_IOERR);
        assertThat(drv.request(T_OUT, 0, Part.out(drv.board.map(SECTOR)))).isEqualTo(S_IOERR);
        assertThat(drv.request(T_FLUSH, 0)).isEqualTo(S_IOERR);
        failIo.set(false);
        assertThat(drv.request(T_FLUSH, 0)).isEqualTo(S_OK);
    }

    @Test
    void shouldFailAChainWithAReadableBufferAfterAWritableOne() {
        Dma status = drv.board.map(1);
        drv.add(Part.out(drv.header(T_IN, 0)), Part.in(drv.board.map(SECTOR)), Part.out(drv.board.map(SECTOR)), Part.in(status));
        drv.kick();
        drv.awaitUsed(1);
        assertThat(status.mem().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) S_IOERR);
        assertThat(drv.request(T_FLUSH, 0)).isEqualTo(S_OK);
    }

    @Test
    void shouldFailAShortHeader() {
        Dma status = drv.board.map(1);
        drv.add(Part.out(drv.board.map(8)), Part.in(status));
        drv.kick();
        drv.awaitUsed(1);
        assertThat(status.mem().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) S_IOERR);
    }

    private Dma pattern(int bytes, int seed) {
        Dma d = drv.board.map(bytes);
        fill(d.mem(), seed);
        return d;
    }

    private static void fill(MemorySegment m, int seed) {
        for (long i = 0; i < m.byteSize(); i++) {
            m.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed | 1));
        }
    }

    private boolean zero(long sector, long count) {
        MemorySegment s = ram.contents().asSlice(sector * SECTOR, count * SECTOR);
        return s.mismatch(MemorySegment.ofArray(new byte[(int) s.byteSize()])) == -1;
    }

    /** The RAM disk, counting flushes and failing on demand. */
    private final class CountingBacking implements Backing {
        @Override
        public long size() {
            return ram.size();
        }

        @Override
        public void read(long offset, MemorySegment dst) throws IOException {
            check();
            ram.read(offset, dst);
        }

        @Override
        public void write(long offset, MemorySegment src) throws IOException {
            check();
            ram.write(offset, src);
        }

        @Override
        public void flush() throws IOException {
            check();
            flushes.incrementAndGet();
        }

        @Override
        public void discard(long offset, long length) throws IOException {
            check();
            ram.discard(offset, length);
        }

        @Override
        public void writeZeroes(long offset, long length) throws IOException {
            check();
            ram.writeZeroes(offset, length);
        }

        @Override
        public void close() {
        }

        private void check() throws IOException {
            if (failIo.get()) {
                throw new IOException("injected backing failure");
            }
        }
    }
}

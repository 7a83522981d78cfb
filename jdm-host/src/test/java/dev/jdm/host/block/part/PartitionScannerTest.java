package dev.jdm.host.block.part;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scanner against crafted MBR, extended and GPT images, good and lying. */
class PartitionScannerTest {
    static final long MIB = 1 << 20;

    static List<Long> starts(PartitionTable t) {
        return t.partitions().stream().map(Partition::start).toList();
    }

    @Test
    void shouldFindNothingOnABlankDisk() {
        PartitionTable t = new DiskImages(4 * MIB, 512).scan();
        assertThat(t.type()).isEqualTo("none");
        assertThat(t.partitions()).isEmpty();
        assertThat(t.problems()).isEmpty();
    }

    @Test
    void shouldReadPrimaryMbrPartitions() {
        DiskImages d = new DiskImages(8 * MIB, 512).signature(0xdeadbeef).mbrEntry(0, 0, 0x83, 2048, 4096).mbrEntry(0, 2, 0x07, 8192, 2048);
        PartitionTable t = d.scan();
        assertThat(t.type()).isEqualTo("dos");
        assertThat(t.diskId()).isEqualTo("deadbeef");
        assertThat(t.partitions()).extracting(Partition::number).containsExactly(1, 3);
        assertThat(t.partitions().getFirst()).isEqualTo(new Partition(1, 2048 * 512L, 4096 * 512L, "0x83", "deadbeef-01", ""));
        assertThat(t.problems()).isEmpty();
    }

    @Test
    void shouldFollowTheExtendedChainToLogicalPartitions() {
        DiskImages d = new DiskImages(16 * MIB, 512).mbrEntry(0, 0, 0x83, 2048, 2048).mbrEntry(0, 1, 0x05, 8192, 16384);
        d.mbrEntry(8192 * 512L, 0, 0x83, 2048, 2048).mbrEntry(8192 * 512L, 1, 0x05, 6144, 4096);   // logical 5, next EBR at ext+6144
        d.mbrEntry((8192 + 6144) * 512L, 0, 0x82, 2048, 1024);                                       // logical 6, end of chain
        PartitionTable t = d.scan();
        assertThat(t.partitions()).extracting(Partition::number).containsExactly(1, 5, 6);
        assertThat(starts(t)).containsExactly(2048 * 512L, (8192 + 2048) * 512L, (8192 + 6144 + 2048) * 512L);
        assertThat(t.partitions().get(2).type()).isEqualTo("0x82");
        assertThat(t.problems()).isEmpty();
    }

    @Test
    void shouldStopAnEbrChainThatLoops() {
        DiskImages d = new DiskImages(16 * MIB, 512).mbrEntry(0, 0, 0x05, 2048, 16384);
        d.mbrEntry(2048 * 512L, 0, 0x83, 64, 64).mbrEntry(2048 * 512L, 1, 0x05, 0x0, 0);
        d.mbrEntry(2048 * 512L, 1, 0x05, 1024, 1024);
        d.mbrEntry((2048 + 1024) * 512L, 0, 0x83, 64, 64).mbrEntry((2048 + 1024) * 512L, 1, 0x05, 1024, 1024); // points to itself
        PartitionTable t = d.scan();
        assertThat(t.partitions()).hasSize(2);
        assertThat(t.problems()).anyMatch(p -> p.contains("loops back"));
    }

    @Test
    void shouldIgnoreEntriesBeyondTheEndAndOverlaps() {
        DiskImages d = new DiskImages(8 * MIB, 512).mbrEntry(0, 0, 0x83, 2048, 4096)
                .mbrEntry(0, 1, 0x83, 4096, 2048)            // overlaps entry 1
                .mbrEntry(0, 2, 0x83, 10000, 100000)         // ends beyond 16384 sectors
                .mbrEntry(0, 3, 0x83, 0, 10);                // on the table itself
        PartitionTable t = d.scan();
        assertThat(t.partitions()).extracting(Partition::number).containsExactly(1);
        assertThat(t.problems()).hasSize(3).anyMatch(p -> p.contains("entry 2") && p.contains("overlaps"))
                .anyMatch(p -> p.contains("entry 3") && p.contains("beyond the end")).anyMatch(p -> p.contains("entry 4") && p.contains("LBA 0"));
    }

    @Test
    void shouldIgnoreLogicalsOutsideTheirExtendedPartition() {
        DiskImages d = new DiskImages(16 * MIB, 512).mbrEntry(0, 0, 0x05, 2048, 4096);
        d.mbrEntry(2048 * 512L, 0, 0x83, 2048, 8192);   // runs past the extended partition's end
        PartitionTable t = d.scan();
        assertThat(t.partitions()).isEmpty();
        assertThat(t.problems()).singleElement().asString().contains("logical 5").contains("outside the extended");
    }

    @Test
    void shouldReadAGptBehindItsProtectiveMbr() {
        DiskImages d = new DiskImages(8 * MIB, 512).gpt(new long[][] {{2048, 6143}, {6144, 8191}});
        PartitionTable t = d.scan();
        assertThat(t.type()).isEqualTo("gpt");
        assertThat(t.diskId()).isEqualTo("01234567-89ab-cdef-0123-456789abcdef");
        assertThat(t.partitions()).hasSize(2);
        Partition p1 = t.partitions().getFirst();
        assertThat(p1.start()).isEqualTo(2048 * 512L);
        assertThat(p1.length()).isEqualTo(4096 * 512L);
        assertThat(p1.type()).isEqualTo(DiskImages.LINUX_FS.toString());
        assertThat(p1.label()).isEqualTo("part1");
        assertThat(p1.uuid()).isEqualTo("00000000-0000-1111-0000-000000000001");
        assertThat(t.problems()).isEmpty();
    }

    @Test
    void shouldReadGptOn4kBlocks() {
        DiskImages d = new DiskImages(64 * MIB, 4096).gpt(new long[][] {{256, 1279}});
        PartitionTable t = d.scan();
        assertThat(t.type()).isEqualTo("gpt");
        assertThat(starts(t)).containsExactly(256 * 4096L);
    }

    @Test
    void shouldFallBackToTheBackupHeaderWhenThePrimaryCrcIsBad() {
        DiskImages d = new DiskImages(8 * MIB, 512).gpt(new long[][] {{2048, 4095}});
        d.at(512).put(60, (byte) 0x55);   // corrupt the disk GUID, CRC not updated
        PartitionTable t = d.scan();
        assertThat(t.type()).isEqualTo("gpt");
        assertThat(t.partitions()).hasSize(1);
        assertThat(t.problems()).anyMatch(p -> p.contains("LBA 1: header CRC32 mismatch")).anyMatch(p -> p.contains("using the backup"));
    }

    @Test
    void shouldTrustNothingWhenBothHeadersOrTheEntryArrayFailTheirCrc() {
        DiskImages d = new DiskImages(8 * MIB, 512).gpt(new long[][] {{2048, 4095}});
        d.disk[2 * 512 + 32] ^= 1;                           // primary array changed
        long last = d.blocks() - 1;
        d.disk[(int) ((last - 32) * 512) + 32] ^= 1;         // backup array changed
        PartitionTable t = d.scan();
        assertThat(t.type()).isEqualTo("none");
        assertThat(t.partitions()).isEmpty();
        assertThat(t.problems()).anyMatch(p -> p.contains("LBA 1: entry array CRC32 mismatch"))
                .anyMatch(p -> p.contains("LBA " + last + ": entry array CRC32 mismatch"));
    }

    @Test
    void shouldIgnoreGptEntriesPastTheEndOrOverlapping() {
        DiskImages d = new DiskImages(8 * MIB, 512).gpt(new long[][] {{2048, 4095}, {4000, 5000}, {6000, 99999}, {5000, 4000}});
        PartitionTable t = d.scan();
        assertThat(t.partitions()).extracting(Partition::number).containsExactly(1);
        assertThat(t.problems()).hasSize(3).anyMatch(p -> p.contains("entry 2: overlaps"))
                .anyMatch(p -> p.contains("entry 3") && p.contains("beyond the end of the disk"))
                .anyMatch(p -> p.contains("entry 4") && p.contains("outside the usable range"));
    }

    @Test
    void shouldRefuseAHeaderThatLiesAboutItsEntryArray() {
        DiskImages d = new DiskImages(8 * MIB, 512).gpt(new long[][] {{2048, 4095}});
        ByteBuffer h = d.at(512).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(80, 1_000_000);      // a million entries
        d.rehash(1);
        long last = d.blocks() - 1;
        d.at(last * 512).putInt(84, 100);     // entry size not a multiple of 128
        d.rehash(last);
        PartitionTable t = d.scan();
        assertThat(t.type()).isEqualTo("none");
        assertThat(t.problems()).anyMatch(p -> p.contains("1000000 x 128")).anyMatch(p -> p.contains("x 100 bytes"));
    }

    @Test
    void shouldSurviveReadErrorsWithOneProblem() {
        PartitionTable t = PartitionScanner.scan((off, len) -> {
            throw new java.io.IOException("medium error");
        }, 8 * MIB, 512);
        assertThat(t.type()).isEqualTo("none");
        assertThat(t.problems()).singleElement().asString().contains("medium error");
    }
}

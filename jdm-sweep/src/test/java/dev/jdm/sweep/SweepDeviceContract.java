package dev.jdm.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The {@link SweepDevice} contract, for every implementation to extend: block-aligned I/O within
 * the device reads back what was written, anything else is refused with EINVAL, write-zeroes either
 * works or says EOPNOTSUPP. This module's devices run it; so should block-layer and gate devices.
 */
public abstract class SweepDeviceContract {
    /** A writable device of {@code size} bytes with {@code blockSize}-byte blocks. */
    protected abstract SweepDevice create(long size, int blockSize);

    static String errno(Runnable r) {
        try {
            r.run();
            return "none";
        } catch (SweepException e) {
            return e.errno();
        }
    }

    @Test
    void shouldDescribeItself() {
        SweepDevice d = create(1 << 20, 4096);
        assertThat(d.size()).isEqualTo(1 << 20);
        assertThat(d.logicalBlockSize()).isEqualTo(4096);
        assertThat(d.name()).isNotBlank();
        assertThat(d.inUse()).isEqualTo(d.inUseReason().isPresent());
        assertThat(DeviceInfo.of(d).name()).isEqualTo(d.name());
    }

    @Test
    void shouldReadBackWhatWasWrittenAtEveryAlignedOffset() {
        SweepDevice d = create(1 << 20, 512);
        try (Arena a = Arena.ofConfined()) {
            Random r = new Random(3);
            for (int i = 0; i < 50; i++) {
                int blocks = 1 + r.nextInt(64);
                long off = 512L * r.nextInt((1 << 20) / 512 - blocks + 1);
                byte[] data = new byte[blocks * 512];
                r.nextBytes(data);
                d.write(off, MemorySegment.ofArray(data), i % 2 == 0);
                MemorySegment back = a.allocate(data.length);
                d.read(off, back);
                assertThat(back.mismatch(MemorySegment.ofArray(data))).as("at %d", off).isEqualTo(-1);
            }
            d.flush();
        }
    }

    @Test
    void shouldRefuseUnalignedAndOutOfRangeIo() {
        SweepDevice d = create(1 << 20, 4096);
        try (Arena a = Arena.ofConfined()) {
            assertThat(errno(() -> d.read(512, a.allocate(4096)))).isEqualTo("EINVAL");
            assertThat(errno(() -> d.read(0, a.allocate(1000)))).isEqualTo("EINVAL");
            assertThat(errno(() -> d.write((1 << 20) - 4096, a.allocate(8192), false))).isEqualTo("EINVAL");
            assertThat(errno(() -> d.write(-4096, a.allocate(4096), false))).isEqualTo("EINVAL");
            assertThat(errno(() -> d.read((1 << 20) - 4096, a.allocate(4096)))).isEqualTo("none");
        }
    }

    @Test
    void shouldZeroWithWriteZeroesOrSayItCannot() {
        SweepDevice d = create(1 << 20, 512);
        d.write(0, MemorySegment.ofArray(new byte[8192]).fill((byte) 7), false);
        String e = errno(() -> d.writeZeroes(1024, 4096));
        if (d.supportsWriteZeroes()) {
            assertThat(e).isEqualTo("none");
            try (Arena a = Arena.ofConfined()) {
                MemorySegment back = a.allocate(8192);
                d.read(0, back);
                assertThat(back.asSlice(0, 1024).mismatch(MemorySegment.ofArray(new byte[1024]).fill((byte) 7))).isEqualTo(-1);
                assertThat(back.asSlice(1024, 4096).mismatch(MemorySegment.ofArray(new byte[4096]))).isEqualTo(-1);
                assertThat(back.asSlice(5120).mismatch(MemorySegment.ofArray(new byte[3072]).fill((byte) 7))).isEqualTo(-1);
            }
        } else {
            assertThat(e).isEqualTo("EOPNOTSUPP");
        }
    }
}

package dev.jdm.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract through the error injector where no range fails (and without write-zeroes), then the injection itself. */
class ErrorInjectingSweepDeviceTest extends SweepDeviceContract {
    @Override
    protected SweepDevice create(long size, int blockSize) {
        return new ErrorInjectingSweepDevice(new MemorySweepDevice(MemorySweepDevice.Spec.partition("ram0p1", size)
                .withBlockSize(blockSize)), List.of(), List.of());
    }

    @Test
    void shouldFailOnlyTheInjectedRanges() {
        var d = new ErrorInjectingSweepDevice(new MemorySweepDevice(MemorySweepDevice.Spec.whole("ram0", 1 << 20)), List.of(ErrorInjectingSweepDevice.Range.parse("0x1000+512")),
                List.of(ErrorInjectingSweepDevice.Range.parse("8K+1K")));
        assertThat(errno(() -> d.read(0x1000, MemorySegment.ofArray(new byte[512])))).isEqualTo("EIO");
        assertThat(errno(() -> d.read(0x1200, MemorySegment.ofArray(new byte[512])))).isEqualTo("none");
        assertThat(errno(() -> d.write(0x1000, MemorySegment.ofArray(new byte[512]), false))).isEqualTo("none");
        assertThat(errno(() -> d.write(0x2200, MemorySegment.ofArray(new byte[512]), false))).isEqualTo("EIO");
        assertThat(errno(() -> d.writeZeroes(0x1e00, 1024))).isEqualTo("EIO");
        assertThat(errno(() -> d.write(0x2400, MemorySegment.ofArray(new byte[512]), false))).isEqualTo("none");
    }
}

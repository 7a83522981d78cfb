package dev.jdm.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class MemorySweepDeviceTest extends SweepDeviceContract {
    @Override
    protected SweepDevice create(long size, int blockSize) {
        return new MemorySweepDevice(MemorySweepDevice.Spec.whole("ram0", size).withBlockSize(blockSize));
    }

    @Test
    void shouldRefuseWritesWhenReadOnly() {
        var d = new MemorySweepDevice(MemorySweepDevice.Spec.partition("ro", 1 << 20).withReadOnly(true));
        assertThat(errno(() -> d.write(0, MemorySegment.ofArray(new byte[512]), false))).isEqualTo("EROFS");
    }
}

package dev.jdm.hw.emu.virtio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.hw.emu.RamBacking;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The RAM backing the virtio-blk tests run on. */
class RamBackingTest {
    @Test
    void shouldStartZeroedAndKeepWhatIsWritten() throws IOException {
        try (RamBacking b = new RamBacking(8192)) {
            assertThat(b.size()).isEqualTo(8192);
            assertThat(b.contents().mismatch(MemorySegment.ofArray(new byte[8192]))).isEqualTo(-1);
            b.write(4090, MemorySegment.ofArray(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
            byte[] back = new byte[8];
            b.read(4090, MemorySegment.ofArray(back));
            assertThat(back).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
            b.writeZeroes(4092, 2);
            b.discard(4096, 2);
            b.flush();
            assertThat(b.contents().asSlice(4090, 8).toArray(ValueLayout.JAVA_BYTE)).containsExactly(1, 2, 0, 0, 5, 6, 0, 0);
        }
    }

    @Test
    void shouldRefuseRangesOutsideIt() {
        try (RamBacking b = new RamBacking(512)) {
            assertThatThrownBy(() -> b.read(500, MemorySegment.ofArray(new byte[13]))).isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("13 bytes at 500");
            assertThatThrownBy(() -> b.writeZeroes(-1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void shouldFailWithAnIoExceptionOnceClosed() {
        RamBacking b = new RamBacking(512);
        b.close();
        assertThatThrownBy(() -> b.read(0, MemorySegment.ofArray(new byte[1]))).isInstanceOf(IOException.class).hasMessageContaining("closed");
        b.close();
    }

    @Test
    void shouldRefuseANegativeSize() {
        assertThatThrownBy(() -> new RamBacking(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }
}

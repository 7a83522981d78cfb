package dev.jdm.host.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.host.HostException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class MemoryExportableDeviceTest {
    static final int P = MemoryExportableDevice.PAGE;

    static IoStatus sync(java.util.function.Consumer<ExportableDevice.Completion> op) {
        AtomicReference<IoStatus> s = new AtomicReference<>();
        op.accept(s::set);
        return s.get();
    }

    static List<Extent> status(ExportableDevice d, long offset, long length) {
        List<Extent> out = new ArrayList<>();
        d.blockStatus(offset, length, (st, ex) -> {
            assertThat(st).isEqualTo(IoStatus.OK);
            out.addAll(ex);
        });
        return out;
    }

    @Test
    void shouldReadZeroesAndReportOneHoleWhenUntouched() {
        try (var d = new MemoryExportableDevice("m", 1L << 30, false); Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(P);
            buf.fill((byte) 7);
            assertThat(sync(c -> d.read(123, buf, c))).isEqualTo(IoStatus.OK);
            assertThat(buf.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).containsOnly(0);
            assertThat(status(d, 0, 1L << 30)).containsExactly(Extent.hole(1L << 30));
            assertThat(d.allocatedBytes()).isZero();
        }
    }

    @Test
    void shouldTrackWrittenPagesAndGiveBackPunchedOnes() {
        try (var d = new MemoryExportableDevice("m", 64 * P, false); Arena a = Arena.ofConfined()) {
            MemorySegment src = a.allocate(P + 2);
            src.fill((byte) 0x5a);
            assertThat(sync(c -> d.write(3L * P - 1, src, false, c))).isEqualTo(IoStatus.OK); // touches pages 2, 3, 4
            assertThat(status(d, 0, 64L * P)).containsExactly(Extent.hole(2L * P), Extent.data(3L * P), Extent.hole(59L * P));
            MemorySegment back = a.allocate(P + 2);
            assertThat(sync(c -> d.read(3L * P - 1, back, c))).isEqualTo(IoStatus.OK);
            assertThat(back.mismatch(src)).isEqualTo(-1);
            // Zero pages 2..4 with punching allowed: page 3 is whole and goes back; 2 and 4 are partly zeroed.
            assertThat(sync(c -> d.writeZeroes(3L * P - 1, P + 2, false, true, true, c))).isEqualTo(IoStatus.OK);
            assertThat(status(d, 3L * P, P)).containsExactly(Extent.hole(P));
            assertThat(sync(c -> d.read(3L * P - 1, back, c))).isEqualTo(IoStatus.OK);
            assertThat(back.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).containsOnly(0);
            assertThat(sync(c -> d.trim(0, 64L * P, false, c))).isEqualTo(IoStatus.OK);
            assertThat(d.allocatedBytes()).isZero();
            assertThat(sync(c -> d.writeZeroes(0, 130 * 64, false, false, false, c))).isEqualTo(IoStatus.OK); // no hole: allocates
            assertThat(status(d, 0, P * 4L)).containsExactly(Extent.data(3L * P), Extent.hole(P));
        }
    }

    @Test
    void shouldRefuseOutOfRangeAndAfterClose() {
        var d = new MemoryExportableDevice("m", 16 * P, false);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(P);
            assertThat(sync(c -> d.read(16L * P - 1, buf, c))).isEqualTo(IoStatus.EINVAL);
            assertThat(sync(c -> d.write(-1, buf, false, c))).isEqualTo(IoStatus.EINVAL);
            d.close();
            assertThat(sync(c -> d.read(0, buf, c))).isEqualTo(IoStatus.ESHUTDOWN);
        }
    }

    @Test
    void shouldRefuseBadSizes() {
        Assertions.assertThatThrownBy(() -> new MemoryExportableDevice("m", 1000, false)).isInstanceOf(HostException.class)
                .hasMessageContaining("multiple of 4096");
        assertThat(ExportService.parseSize("64M")).isEqualTo(64L << 20);
        assertThat(ExportService.parseSize("1GiB")).isEqualTo(1L << 30);
        Assertions.assertThatThrownBy(() -> ExportService.parseSize("lots")).hasMessageContaining("\"lots\"");
    }
}

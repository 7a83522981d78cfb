package dev.jdm.dde.nbdkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the server does for a plugin that cannot: FUA by flush, zeroes by pwrite, API 1's
 * flag-less callbacks. The test plugins say through nbdkit_debug what reached them.
 */
class EmulationTest {
    private final Recorder rec = new Recorder();

    @Test
    void shouldServeAnApi1PluginWithFuaEmulatedByFlush() throws Exception {
        try (NbdkitPlugin p = NbdkitPlugin.start(Recorder.testPlugin("jdmv1"), List.of("size=1M"), rec);
                PluginConnection c = p.open(false); Arena a = Arena.ofConfined()) {
            assertThat(p.apiVersion()).isEqualTo(1);
            // It claims NBDKIT_FUA_NATIVE, but no flag can reach an API 1 callback.
            assertThat(c.capabilities().fua()).isEqualTo(Capabilities.Fua.EMULATE);
            MemorySegment buf = a.allocate(4096);
            buf.fill((byte) 7);
            c.pwrite(buf, 8192, PluginConnection.FUA);
            assertThat(rec.debug()).containsExactly("pwrite", "flush");
            MemorySegment back = a.allocate(4096);
            c.pread(back, 8192);
            assertThat(back.mismatch(buf)).isEqualTo(-1);
            rec.messages.clear();
            c.zero(8192, 4096, PluginConnection.MAY_TRIM);
            c.zero(8192, 4096, 0);
            c.trim(0, 4096, PluginConnection.FUA);
            assertThat(rec.debug()).containsExactly("zero may_trim=1", "zero may_trim=0", "trim", "flush");
            c.pread(back, 8192);
            assertThat(back.get(ValueLayout.JAVA_BYTE, 0)).isZero();
        }
    }

    @Test
    void shouldRefuseFastZeroOnApi1WithoutCallingZero() throws Exception {
        try (NbdkitPlugin p = NbdkitPlugin.start(Recorder.testPlugin("jdmv1"), List.of("size=1M"), rec);
                PluginConnection c = p.open(false)) {
            // nbdkit offers fast zero to API 1 plugins and always fails it fast.
            assertThat(c.capabilities().fastZero()).isTrue();
            assertThatThrownBy(() -> c.zero(0, 4096, PluginConnection.FAST_ZERO))
                    .isInstanceOfSatisfying(NbdkitException.class, e -> assertThat(e.errnoName()).isEqualTo("EOPNOTSUPP"));
            assertThat(rec.debug()).isEmpty();
        }
    }

    @Test
    void shouldPassNativeFuaToAnApi2Plugin() throws Exception {
        try (NbdkitPlugin p = NbdkitPlugin.start(Recorder.testPlugin("jdmtest"), List.of("size=1M"), rec);
                PluginConnection c = p.open(false); Arena a = Arena.ofConfined()) {
            assertThat(c.capabilities().fua()).isEqualTo(Capabilities.Fua.NATIVE);
            rec.messages.clear();
            c.pwrite(a.allocate(512), 0, PluginConnection.FUA);
            c.zero(0, 512, PluginConnection.FUA | PluginConnection.MAY_TRIM);
            c.flush();
            assertThat(rec.debug()).containsExactly("pwrite fua", "zero flags=3", "flush flags=0");
        }
    }

    @Test
    void shouldFallBackToPwriteWhenZeroSaysEnotsup() throws Exception {
        try (NbdkitPlugin p = NbdkitPlugin.start(Recorder.testPlugin("jdmtest"), List.of("size=1M", "zero=enotsup"), rec);
                PluginConnection c = p.open(false); Arena a = Arena.ofConfined()) {
            MemorySegment ones = a.allocate(65536).fill((byte) 1);
            c.pwrite(ones, 0, 0);
            rec.messages.clear();
            assertThatThrownBy(() -> c.zero(0, 4096, PluginConnection.FAST_ZERO))
                    .isInstanceOfSatisfying(NbdkitException.class, e -> assertThat(e.errnoName()).isEqualTo("EOPNOTSUPP"));
            MemorySegment back = a.allocate(65536);
            c.pread(back, 0);
            assertThat(back.mismatch(ones)).as("a failed fast zero changes nothing").isEqualTo(-1);
            c.zero(0, 65536, PluginConnection.MAY_TRIM | PluginConnection.FUA);
            c.pread(back, 0);
            assertThat(back.mismatch(a.allocate(65536))).as("zeroed by pwrite").isEqualTo(-1);
            // zero was tried first with the flags the client gave (FUA is native), then pwrite carried the FUA.
            assertThat(rec.debug()).containsExactly("zero flags=8", "zero flags=3", "pwrite fua");
        }
    }

    @Test
    void shouldReadAllDataWhereAPluginHasNoExtents() throws Exception {
        try (NbdkitPlugin p = NbdkitPlugin.start("pattern", List.of("size=1M"), rec); PluginConnection c = p.open(true)) {
            assertThat(c.capabilities().extents()).isFalse();
            assertThat(c.extents(4096, 8192, 0)).containsExactly(new Extent(4096, 8192, false, false));
        }
    }

    @Test
    void shouldRefuseHeapBuffers() throws Exception {
        try (NbdkitPlugin p = NbdkitPlugin.start("null", List.of("size=1M"), rec); PluginConnection c = p.open(true)) {
            assertThatThrownBy(() -> c.pread(MemorySegment.ofArray(new byte[512]), 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("pread: the buffer must be a native memory segment, not a heap one");
        }
    }
}

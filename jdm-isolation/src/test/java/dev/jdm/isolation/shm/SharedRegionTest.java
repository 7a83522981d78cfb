package dev.jdm.isolation.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.isolation.sys.Sys;
import dev.jdm.isolation.sys.SysException;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class SharedRegionTest {
    @Test
    void shouldSealTheSizeOfAMemfdRegion() throws Exception {
        try (SharedRegion r = SharedRegion.create("sealed", 16384)) {
            assertThat(r.sealed()).isTrue();
            assertThat(r.segment().byteSize()).isEqualTo(16384);
            assertThat(Sys.fcntl(r.fd(), Sys.F_GET_SEALS, 0) & (Sys.F_SEAL_SHRINK | Sys.F_SEAL_GROW | Sys.F_SEAL_SEAL))
                    .isEqualTo(Sys.F_SEAL_SHRINK | Sys.F_SEAL_GROW | Sys.F_SEAL_SEAL);
            // A peer holding the descriptor cannot shrink the file under the host's mapping.
            assertThatThrownBy(() -> Sys.call("ftruncate", Sys.FTRUNCATE, r.fd(), 4096L))
                    .isInstanceOf(SysException.class).hasMessageContaining("EPERM");
        }
    }

    @Test
    void shouldShareBytesBetweenTwoMappingsOfOneDescriptor() throws Exception {
        try (SharedRegion r = SharedRegion.create("shared", 8192)) {
            int dup = Sys.fcntl(r.fd(), 1030 /* F_DUPFD_CLOEXEC */, 0);
            try (SharedRegion other = SharedRegion.map(dup, 8192)) {
                r.segment().set(ValueLayout.JAVA_INT, 4096, 77);
                assertThat(other.segment().get(ValueLayout.JAVA_INT, 4096)).isEqualTo(77);
            }
        }
    }

    @Test
    void shouldFallBackToAnUnlinkedDevShmFile() throws Exception {
        try (SharedRegion r = SharedRegion.createInDevShm("fallback", 8192)) {
            assertThat(r.sealed()).isFalse();
            r.segment().set(ValueLayout.JAVA_LONG, 0, 5L);
            int dup = Sys.fcntl(r.fd(), 1030, 0);
            try (SharedRegion other = SharedRegion.map(dup, 8192)) {
                assertThat(other.sealed()).isFalse();
                assertThat(other.segment().get(ValueLayout.JAVA_LONG, 0)).isEqualTo(5L);
            }
        }
    }

    @Test
    void shouldRefuseARegionSmallerThanExpectedAndBadSizes() throws Exception {
        try (SharedRegion r = SharedRegion.create("small", 4096)) {
            int dup = Sys.fcntl(r.fd(), 1030, 0);
            try {
                assertThatThrownBy(() -> SharedRegion.map(dup, 8192))
                        .hasMessage("shared region fd " + dup + " holds 4096 bytes, expected at least 8192");
            } finally {
                Sys.close(dup);
            }
        }
        assertThatThrownBy(() -> SharedRegion.create("odd", 1000)).hasMessage("shared region size must be a positive multiple of 4096, not 1000");
    }
}

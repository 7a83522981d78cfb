package dev.jdm.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.errno.Errno;
import org.junit.jupiter.api.Test;

class GateVersionTest {
    @Test
    void shouldSpeakTheHighestVersionBothSidesKnow() {
        assertThat(GateVersion.negotiate(1, 0)).as("a version 1 client sends no maximum").hasValue(1);
        assertThat(GateVersion.negotiate(0, 0)).as("a request without a version is a version 1 client's").hasValue(1);
        assertThat(GateVersion.negotiate(1, 2)).hasValue(2);
        assertThat(GateVersion.negotiate(1, 9)).as("a newer client meets this host at its newest").hasValue(GateVersion.MAX);
        assertThat(GateVersion.negotiate(2, 2)).hasValue(2);
        assertThat(GateVersion.negotiate(3, 5)).as("a client that needs more than this host has").isEmpty();
        assertThat(GateVersion.noCommonVersion(3, 5)).isEqualTo("the client speaks gate versions 3..5; this host speaks 1..2");
        assertThat(GateVersion.noCommonVersion(7, 0)).isEqualTo("the client speaks gate version 7; this host speaks 1..2");
    }

    @Test
    void shouldNameAndNumberErrnosAsLinuxDoes() {
        assertThat(Errno.ENOENT.number()).isEqualTo(2);
        assertThat(Errno.EROFS.number()).isEqualTo(30);
        assertThat(Errno.EBADF.number()).isEqualTo(9);
        assertThat(Errno.ETIMEDOUT.number()).isEqualTo(110);
        assertThat(Errno.ofName("ENOTSUP")).hasValue(Errno.EOPNOTSUPP);
        assertThat(Errno.ofName("EWHATEVER")).isEmpty();
        assertThat(Errno.ofStatus(-28)).isEqualTo(Errno.ENOSPC);
        assertThat(Errno.ofStatus(4095)).as("an unknown status is an I/O error").isEqualTo(Errno.EIO);
        assertThat(java.util.Arrays.stream(Errno.values()).mapToInt(Errno::number).distinct().count()).isEqualTo(Errno.values().length);
    }
}

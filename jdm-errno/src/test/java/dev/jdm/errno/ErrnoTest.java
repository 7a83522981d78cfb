package dev.jdm.errno;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrnoTest {
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
        assertThat(Errno.describe(13)).isEqualTo("EACCES (Permission denied)");
        assertThat(Errno.describe(4000)).isEqualTo("errno 4000");
        assertThat(Errno.name(111)).isEqualTo("ECONNREFUSED");
        assertThat(java.util.Arrays.stream(Errno.values()).mapToInt(Errno::number).distinct().count()).isEqualTo(Errno.values().length);
    }
}

package dev.jdm.host.sysctl;

import dev.jdm.errno.Errno;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.host.HostException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SysctlTest {
    private final Sysctl sysctl = new Sysctl();

    SysctlTest() {
        sysctl.register(new Sysctl.Entry("a.lock", Sysctl.Type.BOOL, true, true, 0, 1, "one-way"), "0");
        sysctl.register(new Sysctl.Entry("a.num", Sysctl.Type.LONG, true, false, 10, 20, "ranged"), "15");
        sysctl.register(new Sysctl.Entry("a.ro", Sysctl.Type.STRING, false, false, 0, 0, "read-only"), "x");
    }

    @Test
    void shouldNormaliseBooleansAndCheckRanges() {
        sysctl.set("a.num", " 20 ");
        assertThat(sysctl.longValue("a.num")).isEqualTo(20);
        assertThatThrownBy(() -> sysctl.set("a.num", "21")).isInstanceOf(HostException.class).hasMessageContaining("10..20");
        assertThatThrownBy(() -> sysctl.set("a.num", "ten")).hasMessageContaining("takes an integer");
        assertThatThrownBy(() -> sysctl.set("a.lock", "maybe")).hasMessageContaining("takes 0 or 1");
        assertThat(sysctl.get("a.num")).contains("20");
    }

    @Test
    void shouldRefuseUnknownAndReadOnlyKeysWithTheirErrno() {
        assertThatThrownBy(() -> sysctl.set("no.such", "1")).satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.ENOENT));
        assertThatThrownBy(() -> sysctl.set("a.ro", "y")).satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EPERM));
        sysctl.setInternal("a.ro", "y");
        assertThat(sysctl.get("a.ro")).contains("y");
    }

    @Test
    void shouldLockOneWayKeysAndTellListeners() {
        List<String> seen = new ArrayList<>();
        sysctl.onChange("a.lock", seen::add);
        sysctl.set("a.lock", "yes");
        sysctl.set("a.lock", "1"); // setting it again is fine
        assertThatThrownBy(() -> sysctl.set("a.lock", "0")).hasMessageContaining("cannot be cleared");
        assertThat(sysctl.bool("a.lock")).isTrue();
        assertThat(seen).containsExactly("1", "1");
        assertThat(sysctl.all()).extracting(java.util.Map.Entry::getKey).containsExactly("a.lock", "a.num", "a.ro");
    }
}

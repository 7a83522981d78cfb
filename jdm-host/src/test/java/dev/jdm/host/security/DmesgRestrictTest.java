package dev.jdm.host.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.sec.DeviceKind;
import dev.jdm.abi.sec.Vote;
import dev.jdm.host.HostException;
import dev.jdm.host.sys.Libc;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kernel.dmesg_restrict: the log is for administrators unless an administrator opens it up. */
class DmesgRestrictTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseAnOrdinaryUidByDefaultEvenWithNoSecurityModule() {
        try (StackFixture f = new StackFixture(dir)) {
            int other = Libc.getuid() == 65534 ? 65533 : 65534;
            assertThatThrownBy(() -> f.security.checkSyslogRead(f.task(other)))
                    .isInstanceOf(HostException.class)
                    .hasMessageContaining("uid " + other + " may not read the host log: kernel.dmesg_restrict=1");
            f.security.checkSyslogRead(f.task(0));
            f.security.checkSyslogRead(f.task(Libc.getuid()));
            f.sysctl.set("kernel.dmesg_restrict", "0");
            f.security.checkSyslogRead(f.task(other));
        }
    }

    @Test
    void shouldAskLoadedModulesAsADevOpenOfKmsg() {
        try (StackFixture f = new StackFixture(dir)) {
            f.security.register("nokmsg", new dev.jdm.abi.sec.SecurityModule() {
                @Override
                public Vote devOpen(dev.jdm.abi.sec.TaskCred task, Object data, dev.jdm.abi.sec.DevOpen open) {
                    return open.kind() == DeviceKind.CHAR && open.name().equals("kmsg") && open.mode() == 0600
                            ? Vote.deny(Vote.EACCES, "kmsg is closed") : Vote.NO_OPINION;
                }
            }, false);
            HostException e = org.junit.jupiter.api.Assertions.assertThrows(HostException.class,
                    () -> f.security.checkSyslogRead(f.task(0)));
            assertThat(e.getMessage()).contains("kmsg is closed");
        }
    }
}

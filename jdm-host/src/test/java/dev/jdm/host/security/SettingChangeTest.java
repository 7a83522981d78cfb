package dev.jdm.host.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.sec.SysctlWrite;
import dev.jdm.errno.Errno;
import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.host.sys.Libc;
import dev.jdm.host.task.Credentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Boot guards and exports are changed through the security stack, and fail closed without one. */
class SettingChangeTest {
    @TempDir
    Path dir;

    @Test
    void shouldAllowOnlyAdministratorsWhenNoSecurityModuleIsLoaded() throws IOException {
        // an empty bundle: none of the default modules (caps, devacl, audit) can load
        try (Host host = Host.start(new Host.Options(null, dir.resolve("gate.sock"), dir.resolve("state"),
                Files.createDirectories(dir.resolve("bundled")), null))) {
            assertThat(host.security().list()).noneMatch(r -> r.state().equals("live"));
            int stranger = Libc.getuid() == 4242 ? 4343 : 4242;
            SysctlWrite guard = new SysctlWrite("blk.ram0.boot_guard", "65536", "0");
            assertThatThrownBy(() -> host.security().checkSettingChange(host.tasks().create("gate:9", new Credentials(stranger, stranger, 1)), guard))
                    .isInstanceOf(HostException.class)
                    .hasMessageStartingWith("blk.ram0.boot_guard: uid " + stranger + " may not change it: with no security module loaded")
                    .extracting(e -> ((HostException) e).code()).isEqualTo(Errno.EPERM);
            host.security().checkSettingChange(host.tasks().create("gate:10", new Credentials(0, 0, 1)), guard);
            host.security().checkSettingChange(host.tasks().create("gate:11", new Credentials(Libc.getuid(), Libc.getuid(), 1)), guard);
        }
    }
}

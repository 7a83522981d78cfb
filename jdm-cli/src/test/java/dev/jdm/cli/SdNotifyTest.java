package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SdNotifyTest {
    @Test
    void shouldSendEachStateAsOneDatagramToAPathSocket() throws Throwable {
        Path dir = Files.createTempDirectory("jdm-notify");
        try (NotifyReceiver systemd = new NotifyReceiver(dir.resolve("notify").toString())) {
            SdNotify notify = SdNotify.to(systemd.name());
            notify.send("READY=1\nSTATUS=serving");
            notify.send("STOPPING=1");
            assertThat(systemd.receive(2, 2000)).containsExactly("READY=1\nSTATUS=serving", "STOPPING=1");
        }
    }

    @Test
    void shouldReachAnAbstractNameGivenWithAnAt() throws Throwable {
        try (NotifyReceiver systemd = new NotifyReceiver("@jdm-notify-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime())) {
            SdNotify.to(systemd.name()).send("READY=1");
            assertThat(systemd.receive(1, 2000)).containsExactly("READY=1");
        }
    }

    @Test
    void shouldNameTheSocketAndErrnoWhenNoOneListens() throws Exception {
        Path missing = Files.createTempDirectory("jdm-notify").resolve("nobody");
        assertThatThrownBy(() -> SdNotify.to(missing.toString()).send("READY=1")).isInstanceOf(IOException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("sendto").hasMessageContaining("errno 2");
    }

    @Test
    void shouldDoNothingWithoutASocket() throws Exception {
        SdNotify none = System.getenv("NOTIFY_SOCKET") == null ? SdNotify.fromEnvironment() : SdNotify.to(null);
        assertThat(none.enabled()).isFalse();
        none.send("READY=1"); // no socket, no error
    }
}

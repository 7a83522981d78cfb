package dev.jdm.isolation.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

class RendezvousTest {
    @Test
    void shouldLiveInAPrivateDirectoryAndVanishAfterOneConnection() throws Exception {
        Rendezvous rv = Rendezvous.open(null);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(rv.socketPath().getParent()))).isEqualTo("rwx------");
        assertThat(rv.token()).hasSize(64);
        try (ControlChannel child = Rendezvous.connect(rv.socketPath(), rv.token());
                ControlChannel host = rv.accept(ProcessHandle.current().pid(), 5000)) {
            child.send(9, new byte[] {4});
            assertThat(host.receive().payload()).containsExactly(4);
        }
        assertThat(rv.socketPath()).doesNotExist();
        assertThat(rv.socketPath().getParent()).doesNotExist();
    }

    @Test
    @SuppressWarnings("try") // the resource is held open, not used
    void shouldRefuseAWrongToken() throws Exception {
        Rendezvous rv = Rendezvous.open(null);
        try (ControlChannel child = Rendezvous.connect(rv.socketPath(), "0".repeat(64))) {
            assertThatThrownBy(() -> rv.accept(ProcessHandle.current().pid(), 5000))
                    .isInstanceOf(ControlChannelException.class).hasMessageContaining("presented a wrong token");
        }
        assertThat(rv.socketPath()).doesNotExist();
    }

    @Test
    @SuppressWarnings("try") // the resource is held open, not used
    void shouldRefuseAConnectionFromAnotherProcessThanTheChild() throws Exception {
        Rendezvous rv = Rendezvous.open(null);
        long me = ProcessHandle.current().pid();
        try (ControlChannel child = Rendezvous.connect(rv.socketPath(), rv.token())) {
            assertThatThrownBy(() -> rv.accept(me + 1, 5000))
                    .hasMessage("rendezvous: connection from pid " + me + ", expected the child " + (me + 1));
        }
    }
}

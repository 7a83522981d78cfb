package dev.jdm.host.gate;

import dev.jdm.gate.GateSocket;
import dev.jdm.host.sys.Libc;
import dev.jdm.host.task.Credentials;
import java.nio.channels.SocketChannel;
import java.util.Optional;

/**
 * The kernel's word on who is at the other end of a Unix socket: SO_PEERCRED, read with
 * getsockopt through FFM. The JDK's public {@code SO_PEERCRED} option gives only names, not the
 * numeric ids and pid a task needs, so the file descriptor is taken from the channel (the
 * launcher opens {@code sun.nio.ch} for this).
 */
public final class PeerCredentials {
    private PeerCredentials() {}

    /** The peer's credentials, or empty if they cannot be read (the caller then refuses the task). */
    public static Optional<Credentials> of(SocketChannel channel) {
        int fd = GateSocket.descriptorOf(channel);
        if (fd < 0) {
            return Optional.empty();
        }
        try {
            int[] cred = Libc.peerCredentials(fd);
            return Optional.of(new Credentials(cred[1], cred[2], cred[0]));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}

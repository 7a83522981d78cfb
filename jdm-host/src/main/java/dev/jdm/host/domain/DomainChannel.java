package dev.jdm.host.domain;

import dev.jdm.isolation.process.DomainProcess;
import java.io.IOException;

/** Sending on a domain process's control channel: one frame at a time per process. */
final class DomainChannel {
    private DomainChannel() {}

    static void send(DomainProcess p, int type, byte[] payload, int... fds) throws IOException {
        synchronized (p) {
            p.channel().send(type, payload, fds);
        }
    }

    /** For answers and notices: a process that is gone has its exit reported elsewhere. */
    static void sendQuietly(DomainProcess p, int type, byte[] payload, int... fds) {
        try {
            send(p, type, payload, fds);
        } catch (IOException e) {
            // the domain is gone; its exit is reported
        }
    }
}

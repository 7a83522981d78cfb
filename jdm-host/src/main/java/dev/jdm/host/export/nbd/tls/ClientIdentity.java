package dev.jdm.host.export.nbd.tls;

import dev.jdm.host.task.Credentials;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * What a verified client certificate proves: its subject maps to a uid, a primary group and
 * supplementary groups, which the connection's task then carries through the security stack.
 *
 * @param subject the certificate's subject, compared as a whole distinguished name in RFC 2253
 *     canonical form (so {@code cn=backup01} matches {@code CN=backup01})
 * @param uid the uid the peer acts as
 * @param gid its primary group, or -1
 * @param groups supplementary groups
 */
public record ClientIdentity(X500Principal subject, int uid, int gid, List<Integer> groups) {
    public ClientIdentity {
        if (uid < 0) {
            throw new IllegalArgumentException("client " + subject.getName() + ": uid must be 0 or more, got " + uid);
        }
        groups = groups == null ? List.of() : List.copyOf(groups);
    }

    /** Parses the subject as written in the configuration. */
    public static ClientIdentity of(String subject, int uid, int gid, List<Integer> groups) {
        try {
            return new ClientIdentity(new X500Principal(subject), uid, gid, groups);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("client subject \"" + subject + "\" is not a distinguished name such as CN=backup01: "
                    + e.getMessage());
        }
    }

    /** Whether a certificate's subject is this one. */
    boolean matches(X500Principal certificateSubject) {
        return subject.getName(X500Principal.CANONICAL).equals(certificateSubject.getName(X500Principal.CANONICAL));
    }

    /** The credentials of a task acting as this identity: no pid, since the peer is on another machine. */
    Credentials credentials() {
        return new Credentials(uid, gid, -1, groups);
    }
}

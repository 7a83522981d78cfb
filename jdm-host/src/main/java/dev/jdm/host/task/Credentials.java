package dev.jdm.host.task;

import java.util.List;

/**
 * Who a task is, as the kernel reported it (SO_PEERCRED), as a verified TLS client certificate
 * maps it, or, for the host itself, as it runs.
 *
 * @param pid process id, or -1 if unknown
 * @param groups supplementary groups known up front (a certificate's mapping); empty when they
 *     are to be read from /proc for {@code pid}
 */
public record Credentials(int uid, int gid, int pid, List<Integer> groups) {
    public Credentials {
        groups = groups == null ? List.of() : List.copyOf(groups);
    }

    /** Credentials with no supplementary groups given. */
    public Credentials(int uid, int gid, int pid) {
        this(uid, gid, pid, List.of());
    }

    /** Whether this is root. */
    public boolean isRoot() {
        return uid == 0;
    }
}

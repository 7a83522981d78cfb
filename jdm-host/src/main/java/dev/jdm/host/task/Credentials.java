package dev.jdm.host.task;

/**
 * Who a task is, as the kernel reported it (SO_PEERCRED) or, for the host itself, as it runs.
 *
 * @param pid process id, or -1 if unknown
 */
public record Credentials(int uid, int gid, int pid) {
    /** Whether this is root. */
    public boolean isRoot() {
        return uid == 0;
    }
}

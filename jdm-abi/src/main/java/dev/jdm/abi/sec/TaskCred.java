package dev.jdm.abi.sec;

import dev.jdm.abi.Provided;
import java.util.List;

/**
 * Who a task is: credentials from the kernel (SO_PEERCRED) as the host saw them when the task was
 * created. The host's own work runs as a task with uid and gid 0.
 *
 * @param taskId the host's task id, never reused while the host runs
 * @param uid user id
 * @param gid primary group id
 * @param groups supplementary group ids, as /proc reported them at task creation (may be empty)
 * @param pid process id, or -1
 * @param program the peer's executable path, or "" if unknown
 */
@Provided
public record TaskCred(long taskId, int uid, int gid, List<Integer> groups, int pid, String program) {
    /** Whether the task is in group {@code g}, primary or supplementary. */
    public boolean inGroup(int g) {
        return gid == g || groups.contains(g);
    }
}

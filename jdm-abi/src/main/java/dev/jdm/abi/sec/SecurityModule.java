package dev.jdm.abi.sec;

import dev.jdm.abi.Implemented;

/**
 * A security module: one method per hook, each answering "no opinion" unless overridden.
 *
 * <p>Every hook gets the task's credentials and the data this module attached to that task with
 * {@link #taskData} (null if it attached none). Hooks run on the checking thread, concurrently for
 * different tasks, and must be quick, non-blocking and free of side effects on the host: a hook
 * that throws, runs longer than {@code security.hook_timeout_ms}, or returns nonsense counts as a
 * deny, and a hook that timed out fails every later check too until the module is replaced.
 *
 * <p>The host never calls a hook after the module's {@code close()}, and never passes task data
 * after {@link #taskFree} for it.
 */
@Implemented
public interface SecurityModule {
    /** {@code task_alloc}: may a task with these credentials exist (a gate or NBD connection)? */
    default Vote taskAlloc(TaskCred task) {
        return Vote.NO_OPINION;
    }

    /** The data this module keeps for the task, or null; called once per task after it is allowed. */
    default Object taskData(TaskCred task) {
        return null;
    }

    /** {@code task_free}: the task is gone; {@code data} is never passed to a hook again. */
    default void taskFree(TaskCred task, Object data) {}

    /** {@code module_load}: before anything of the module runs. */
    default Vote moduleLoad(TaskCred task, Object data, ModuleOp module) {
        return Vote.NO_OPINION;
    }

    /** {@code module_unload}: rmmod, modprobe -r, or the old side of a replace. */
    default Vote moduleUnload(TaskCred task, Object data, ModuleOp module) {
        return Vote.NO_OPINION;
    }

    /** {@code sysctl_write}: a tunable is about to change. */
    default Vote sysctlWrite(TaskCred task, Object data, SysctlWrite write) {
        return Vote.NO_OPINION;
    }

    /** {@code dev_open}: a block or character device is being opened. */
    default Vote devOpen(TaskCred task, Object data, DevOpen open) {
        return Vote.NO_OPINION;
    }

    /** {@code file_permission}: the host opens a file on the task's behalf. */
    default Vote filePermission(TaskCred task, Object data, FilePermission file) {
        return Vote.NO_OPINION;
    }

    /** {@code blk_io}: one block request. */
    default Vote blkIo(TaskCred task, Object data, BlkIo io) {
        return Vote.NO_OPINION;
    }

    /** {@code chr_call}: a typed call or ioctl on a character device. */
    default Vote chrCall(TaskCred task, Object data, ChrCall call) {
        return Vote.NO_OPINION;
    }

    /** {@code resource_grant}: the I/O server is about to grant a resource to a domain. */
    default Vote resourceGrant(TaskCred task, Object data, ResourceGrant grant) {
        return Vote.NO_OPINION;
    }

    /** {@code export_connect}: a client connects to an export. */
    default Vote exportConnect(TaskCred task, Object data, ExportConnect connect) {
        return Vote.NO_OPINION;
    }

    /**
     * Called after every decision on a task this module is attached to, with every module's vote
     * and the verdict (for auditing). Runs on the checking thread; must not block for long.
     */
    default void decision(Decision decision) {}

    /**
     * Whether {@link #decision} should hear of a decision on {@code hook} (e.g. {@code blk_io})
     * with this verdict. The host asks first, so that a decision no module records is never
     * described: per-request hooks run once per I/O. The default is every decision.
     */
    default boolean wantsDecision(String hook, boolean allowed) {
        return true;
    }

    /**
     * A new policy text for this module (from the host's policy file or {@code jdm sec reload}).
     * Throw {@link PolicyException} to refuse it; the previous policy then stays in force.
     *
     * @throws UnsupportedOperationException if the module takes no policy (the default)
     */
    default void policy(String text) {
        throw new UnsupportedOperationException("this security module takes no policy");
    }
}

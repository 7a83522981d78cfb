package dev.jdm.host.calls;

import dev.jdm.abi.sec.SysctlWrite;
import dev.jdm.host.task.Task;

/**
 * Who may change host settings that are not sysctls proper: a boot guard, an export. They are
 * asked of the security stack as {@code sysctl_write} of a named setting ({@code blk.LU.boot_guard},
 * {@code nbd.exports.NAME}), so the policy that governs sysctls (caps: administrators only; devacl
 * rules) governs them too. A refusal throws; an error in a check denies.
 */
@FunctionalInterface
public interface Privilege {
    /** Refuses with EPERM or EACCES unless {@code task} may make this change. */
    void check(Task task, SysctlWrite change);
}

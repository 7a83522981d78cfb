package dev.jdm.host.security;

import dev.jdm.errno.Errno;
import dev.jdm.abi.sec.DevOpen;
import dev.jdm.abi.sec.DeviceKind;
import dev.jdm.host.HostException;
import dev.jdm.host.sysctl.Sysctl;
import dev.jdm.host.task.Task;
import java.util.function.IntSupplier;

/**
 * Who may read the host's log, as Linux's {@code kernel.dmesg_restrict} (default 1, as Debian
 * sets it): with it set, only administrators read it, the log holding paths and uids. The ABI has
 * no syslog hook (Linux's {@code security_syslog}), so the host decides with the rule sec-caps uses
 * for administrators (uid 0 or the uid the host runs as) and fails closed without any security
 * module; then the read is asked as {@code dev_open} of the char device {@code kmsg}, as reading
 * Linux's log opens /dev/kmsg, so that a loaded module can refuse it too. The node looks like
 * Linux's: owned by the host's uid, mode 0600 while restricted, 0644 when not.
 */
final class SyslogAccess {
    static final String RESTRICT = "kernel.dmesg_restrict";
    /** The device name security modules see. */
    static final String KMSG = "kmsg";
    private final Sysctl sysctl;
    private final IntSupplier hostUid;

    SyslogAccess(Sysctl sysctl, IntSupplier hostUid) {
        this.sysctl = sysctl;
        this.hostUid = hostUid;
        sysctl.register(new Sysctl.Entry(RESTRICT, Sysctl.Type.BOOL, true, false, 0, 1,
                "1: only administrators (uid 0, the host's uid) may read the log, as Linux's dmesg_restrict"), "1");
    }

    /** The dev_open the read is asked as, once the host's own rule let it through. */
    DevOpen check(Task task) {
        boolean restricted = sysctl.bool(RESTRICT);
        int uid = task.credentials().uid();
        int owner = hostUid.getAsInt();
        if (restricted && uid != 0 && uid != owner) {
            throw new HostException(Errno.EPERM, "uid " + uid + " may not read the host log: " + RESTRICT
                    + "=1 allows administrators only (uid 0" + (owner != 0 ? ", uid " + owner : "") + "); an administrator may set "
                    + RESTRICT + "=0");
        }
        return new DevOpen(DeviceKind.CHAR, KMSG, owner, owner, restricted ? 0600 : 0644, DevOpen.READ);
    }
}

package dev.jdm.drivers.caps;

import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.DriverModule;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.Param;
import dev.jdm.abi.sec.DevOpen;
import dev.jdm.abi.sec.ModuleOp;
import dev.jdm.abi.sec.ResourceGrant;
import dev.jdm.abi.sec.SecurityModule;
import dev.jdm.abi.sec.SysctlWrite;
import dev.jdm.abi.sec.TaskCred;
import dev.jdm.abi.sec.Vote;

/**
 * Privileges from credentials, as capabilities without the granularity: only an administrator
 * (uid 0, the host's owner, or a member of {@code group}) may load or unload modules (which
 * includes replacing security modules), write sysctls and have resources granted. Devices carry an
 * owner, a group and mode bits, checked as /dev checks them (uid 0 overrides, as CAP_DAC_OVERRIDE).
 */
@DriverModule(name = "caps", version = "1.0", license = "GPL", author = "jdm developers",
        description = "Privileges from credentials: module loading, sysctls and grants for administrators; device owner/group/mode")
@Param(name = "group", type = Param.Type.LONG, defaultValue = "-1", description = "gid whose members are administrators too (-1: none)")
@Param(name = "host_owner", type = Param.Type.BOOL, defaultValue = "y", description = "treat the uid the host runs as as an administrator")
public final class Caps implements LoadableModule {
    public Caps(ModuleContext ctx) {
        long group = ctx.params().longValue("group");
        if (group < -1 || group > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("group must be a gid or -1, got " + group);
        }
        int owner = ctx.params().bool("host_owner") ? ctx.security().hostUid() : 0;
        ctx.security().register(new Policy((int) group, owner));
        ctx.log().info("administrators: uid 0" + (owner != 0 ? ", uid " + owner : "") + (group >= 0 ? ", group " + group : ""));
    }

    @Override
    public void close() {}

    /** The decisions; pure functions of the credentials and the object. */
    static final class Policy implements SecurityModule {
        private final int group;
        private final int hostOwner;

        Policy(int group, int hostOwner) {
            this.group = group;
            this.hostOwner = hostOwner;
        }

        boolean privileged(TaskCred t) {
            return t.uid() == 0 || t.uid() == hostOwner || group >= 0 && t.inGroup(group);
        }

        private Vote admin(TaskCred t, String what) {
            if (privileged(t)) {
                return Vote.ALLOW;
            }
            return Vote.deny(Vote.EPERM, "uid " + t.uid() + " may not " + what + " (administrators: uid 0"
                    + (hostOwner != 0 ? ", uid " + hostOwner : "") + (group >= 0 ? ", group " + group : "") + ")");
        }

        @Override
        public Vote moduleLoad(TaskCred task, Object data, ModuleOp module) {
            return admin(task, "load modules");
        }

        @Override
        public Vote moduleUnload(TaskCred task, Object data, ModuleOp module) {
            return admin(task, "unload modules");
        }

        @Override
        public Vote sysctlWrite(TaskCred task, Object data, SysctlWrite write) {
            return admin(task, "write sysctls");
        }

        @Override
        public Vote resourceGrant(TaskCred task, Object data, ResourceGrant grant) {
            return admin(task, "have resources granted");
        }

        /** Owner bits, else group bits, else other bits, as the kernel's generic_permission. */
        @Override
        public Vote devOpen(TaskCred task, Object data, DevOpen dev) {
            if (task.uid() == 0) {
                return Vote.ALLOW;
            }
            int bits;
            String as;
            if (task.uid() == dev.ownerUid()) {
                bits = dev.mode() >> 6;
                as = "owner";
            } else if (task.inGroup(dev.groupGid())) {
                bits = dev.mode() >> 3;
                as = "group";
            } else {
                bits = dev.mode();
                as = "other";
            }
            int wanted = dev.access() & (DevOpen.READ | DevOpen.WRITE);
            if ((bits & wanted) == wanted) {
                return Vote.ALLOW;
            }
            return Vote.deny(Vote.EACCES, dev.name() + " is mode 0" + Integer.toOctalString(dev.mode() & 0777) + " owner " + dev.ownerUid()
                    + " group " + dev.groupGid() + "; uid " + task.uid() + " (" + as + ") lacks " + ((wanted & ~bits & DevOpen.READ) != 0 ? "read" : "write"));
        }
    }
}

package dev.jdm.drivers.devacl;

import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.DriverModule;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.sec.ChrCall;
import dev.jdm.abi.sec.DevOpen;
import dev.jdm.abi.sec.DeviceKind;
import dev.jdm.abi.sec.SecurityModule;
import dev.jdm.abi.sec.TaskCred;
import dev.jdm.abi.sec.Vote;
import java.util.EnumSet;
import java.util.Set;

/**
 * Device access control lists: which uid, gid or program may open which devices (globs) with which
 * operations. The policy (TOML, see {@link AclPolicy}) comes from the host: at registration from
 * {@code <state-dir>/security/devacl.policy}, later from {@code jdm sec reload devacl FILE}. A policy
 * with an error is refused with its line and column and the one in force stays.
 */
@DriverModule(name = "devacl", version = "1.0", license = "GPL", author = "jdm developers",
        description = "Device ACLs from a reloadable TOML policy: uid, gid or program; device globs; read, write, ioctl, typed calls")
public final class DevAcl implements LoadableModule {
    private final ModuleContext ctx;

    public DevAcl(ModuleContext ctx) {
        this.ctx = ctx;
        Acl acl = new Acl(ctx);
        ctx.security().register(acl);
        ctx.log().info(acl.policy == AclPolicy.EMPTY ? "no policy: no opinion on any device until one is loaded (jdm sec reload devacl FILE)"
                : "policy: " + acl.policy.rules.size() + " rules, default " + acl.policy.dflt.name().toLowerCase());
    }

    @Override
    public void close() {
        ctx.log().info("policy unloaded");
    }

    /** The decisions, against the policy in force (replaced whole, never edited). */
    static final class Acl implements SecurityModule {
        private final ModuleContext ctx;
        volatile AclPolicy policy = AclPolicy.EMPTY;

        Acl(ModuleContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void policy(String text) {
            AclPolicy p = AclPolicy.parse(text);
            policy = p;
            ctx.log().info("policy in force: " + p.rules.size() + " rules, default " + p.dflt.name().toLowerCase());
        }

        @Override
        public Vote devOpen(TaskCred task, Object data, DevOpen open) {
            Set<AclPolicy.Op> ops = EnumSet.noneOf(AclPolicy.Op.class);
            if ((open.access() & DevOpen.READ) != 0) {
                ops.add(AclPolicy.Op.READ);
            }
            if ((open.access() & DevOpen.WRITE) != 0) {
                ops.add(AclPolicy.Op.WRITE);
            }
            return ops.isEmpty() ? Vote.NO_OPINION : policy.decide(open.kind(), open.name(), task, ops);
        }

        /** An ioctl is the ioctl operation; any other call is a typed call, the call operation. */
        @Override
        public Vote chrCall(TaskCred task, Object data, ChrCall call) {
            AclPolicy.Op op = call.call().equals("ioctl") ? AclPolicy.Op.IOCTL : AclPolicy.Op.CALL;
            return policy.decide(DeviceKind.CHAR, call.device(), task, EnumSet.of(op));
        }
    }
}

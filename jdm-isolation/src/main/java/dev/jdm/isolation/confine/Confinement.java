package dev.jdm.isolation.confine;

import dev.jdm.errno.Errno;
import dev.jdm.isolation.sys.Sys;
import dev.jdm.isolation.sys.SysException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Applies a {@link ConfinementPlan} to the calling thread and process, in this order, each step
 * failing closed with its name and errno:
 *
 * <ol>
 *   <li><b>rlimits</b> (process-wide), first, while the process may still set hard limits freely;
 *   <li><b>uid drop</b> when the effective uid is 0: {@code setgroups}, {@code setresgid},
 *       {@code setresuid} through glibc, which applies them to every thread of the process; then a
 *       check that uid 0 cannot be regained;
 *   <li><b>no_new_privs</b> ({@code prctl(PR_SET_NO_NEW_PRIVS)}): no set-uid or file-capability
 *       gain on exec; Landlock requires it of an unprivileged process;
 *   <li><b>Landlock</b>: probe the ABI, handle every right it knows, allow only the grants, restrict
 *       the calling thread (see {@link Landlock} for why the caller must then {@code execve}).
 * </ol>
 *
 * Without Landlock the plan is refused unless it carries {@code allowWithoutLandlock}; then the
 * domain starts with the other steps applied and a warning says it is not confined to its grants.
 */
public final class Confinement {
    private static final System.Logger LOG = System.getLogger(Confinement.class.getName());
    private static final int PR_SET_NO_NEW_PRIVS = 38;

    private Confinement() {}

    /** What {@link #apply} did, for the domain to report to the host. */
    public record Report(int uid, int gid, int landlockAbi) {}

    /** Applies {@code plan}; on any failure nothing after the failed step has been done. */
    public static Report apply(ConfinementPlan plan) throws ConfinementException {
        setLimits(plan.limits());
        dropUid(plan);
        Landlock.step("prctl(PR_SET_NO_NEW_PRIVS)", () -> Sys.call("prctl", Sys.PRCTL, PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L));
        int abi = landlockAbi(plan.allowWithoutLandlock());
        if (abi > 0) {
            Landlock.restrictSelf(Math.min(abi, Landlock.KNOWN_ABI), plan.grants(), plan.bindPort());
        }
        try {
            return new Report(Sys.getuid(), Sys.getgid(), abi);
        } catch (SysException e) {
            throw new ConfinementException("report", e);
        }
    }

    /**
     * The Landlock ABI to use, 0 for none (only with the opt-out, logged); refuses a kernel without
     * Landlock otherwise.
     */
    static int landlockAbi(boolean allowWithoutLandlock) throws ConfinementException {
        int abi;
        String why;
        try {
            abi = Landlock.abiVersion();
            why = null;
        } catch (SysException e) {
            abi = 0;
            why = Errno.describe(e.errno());
        }
        return decide(abi, why, allowWithoutLandlock);
    }

    /** The decision on a probe result: {@code abi} 0 means none, {@code why} the probe's errno. */
    static int decide(int abi, String why, boolean allowWithoutLandlock) throws ConfinementException {
        if (abi > 0) {
            if (abi > Landlock.KNOWN_ABI) {
                LOG.log(System.Logger.Level.INFO, "Landlock ABI " + abi + " is newer than " + Landlock.KNOWN_ABI
                        + ": rights added after ABI " + Landlock.KNOWN_ABI + " stay unrestricted");
            }
            return abi;
        }
        if (!allowWithoutLandlock) {
            throw new ConfinementException("landlock_create_ruleset(VERSION)", "Landlock is not available ("
                    + why + "); the domain would not be confined to its grants. Enable Landlock (lsm=landlock) or "
                    + "opt out explicitly (allowWithoutLandlock)");
        }
        LOG.log(System.Logger.Level.WARNING, "Landlock is not available (" + why + "): starting the domain "
                + "WITHOUT file-system and network confinement, as allowWithoutLandlock asks");
        return 0;
    }

    private static void setLimits(ResourceLimits limits) throws ConfinementException {
        setLimit("RLIMIT_AS", ResourceLimits.RLIMIT_AS, limits.addressSpace());
        setLimit("RLIMIT_NOFILE", ResourceLimits.RLIMIT_NOFILE, limits.openFiles());
        setLimit("RLIMIT_NPROC", ResourceLimits.RLIMIT_NPROC, limits.tasks());
    }

    private static void setLimit(String name, int resource, long value) throws ConfinementException {
        if (value == 0) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment rl = a.allocate(16, 8);
            rl.set(ValueLayout.JAVA_LONG, 0, value);
            rl.set(ValueLayout.JAVA_LONG, 8, value);
            Landlock.step("setrlimit(" + name + ", " + value + ")", () -> Sys.call("setrlimit", Sys.SETRLIMIT, resource, rl));
        }
    }

    private static void dropUid(ConfinementPlan plan) throws ConfinementException {
        int euid;
        try {
            euid = Sys.geteuid();
        } catch (SysException e) {
            throw new ConfinementException("geteuid", e);
        }
        if (euid != 0) {
            if (plan.uid() >= 0 && plan.uid() != euid) {
                throw new ConfinementException("setresuid(" + plan.uid() + ")", "running as uid " + euid
                        + ", not root: cannot change to uid " + plan.uid());
            }
            return;
        }
        if (plan.uid() < 0) {
            throw new ConfinementException("setresuid", "the domain runs as root and the plan names no unprivileged uid to drop to");
        }
        int uid = plan.uid();
        int gid = plan.gid();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment groups = a.allocate(ValueLayout.JAVA_INT);
            groups.set(ValueLayout.JAVA_INT, 0, gid);
            Landlock.step("setgroups([" + gid + "])", () -> Sys.call("setgroups", Sys.SETGROUPS, 1L, groups));
        }
        Landlock.step("setresgid(" + gid + ")", () -> Sys.call("setresgid", Sys.SETRESGID, gid, gid, gid));
        Landlock.step("setresuid(" + uid + ")", () -> Sys.call("setresuid", Sys.SETRESUID, uid, uid, uid));
        try {
            Sys.call("setresuid(0)", Sys.SETRESUID, 0, 0, 0);
            throw new ConfinementException("setresuid(" + uid + ")", "uid 0 could be regained after the drop");
        } catch (SysException expected) {
            if (expected.errno() != Errno.EPERM.number()) {
                throw new ConfinementException("setresuid(0) check", expected);
            }
        }
    }
}

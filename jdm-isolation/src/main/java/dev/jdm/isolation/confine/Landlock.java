package dev.jdm.isolation.confine;

import dev.jdm.errno.Errno;
import dev.jdm.isolation.sys.Sys;
import dev.jdm.isolation.sys.SysException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.util.List;

/**
 * Landlock through its three system calls. The ABI version is probed at run time and every access
 * right that version knows is handled (denied unless a rule grants it):
 *
 * <ul>
 *   <li>ABI 1: the 13 file-system rights; 2: REFER; 3: TRUNCATE; 5: IOCTL_DEV;
 *   <li>ABI 4: TCP bind and connect (handled, no rule: every TCP bind and connect is refused);
 *   <li>ABI 6: scopes: no connecting to abstract Unix sockets and no signals outside the domain;
 *   <li>ABI 7 adds only audit-logging flags. Rights of a later ABI are unknown here and stay
 *       unrestricted; {@link #KNOWN_ABI} says which version this class was written for.
 * </ul>
 *
 * <b>Threads.</b> {@code landlock_restrict_self} confines the calling thread and its future
 * children only. Kernel 6.18 (ABI 7) has no flag to apply it to every thread of a process, and a JVM
 * has a dozen threads before {@code main}. The domain therefore confines the one thread that then
 * calls {@code execve}: the new JVM starts inside the domain with all of its threads (see
 * {@code DomainBoot}).
 *
 * <p>What Landlock does not cover at ABI 7: UDP and other non-TCP sockets, connecting to named
 * (path) Unix sockets, descriptors opened before confinement or received later (a passed file keeps
 * the access it was opened with: that is how grants of opened files work), and reading /proc entries
 * of processes the uid may already read.
 */
public final class Landlock {
    public static final int KNOWN_ABI = 7;
    private static final long CREATE_RULESET_VERSION = 1;
    private static final int RULE_PATH_BENEATH = 1;

    static final long EXECUTE = 1L << 0;
    static final long WRITE_FILE = 1L << 1;
    static final long READ_FILE = 1L << 2;
    static final long READ_DIR = 1L << 3;
    static final long REMOVE_DIR = 1L << 4;
    static final long REMOVE_FILE = 1L << 5;
    static final long MAKE_DIR = 1L << 7;
    static final long MAKE_REG = 1L << 8;
    static final long MAKE_SYM = 1L << 12;
    static final long REFER = 1L << 13;
    static final long TRUNCATE = 1L << 14;
    static final long IOCTL_DEV = 1L << 15;
    static final long FILE_ONLY = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV;
    static final int RULE_NET_PORT = 2;
    static final long NET_BIND_TCP = 1;
    static final long NET_CONNECT_TCP = 2;
    static final long SCOPE_ABSTRACT_UNIX_SOCKET = 1;
    static final long SCOPE_SIGNAL = 2;

    private Landlock() {}

    /** The kernel's Landlock ABI version; throws with the errno (ENOSYS, EOPNOTSUPP) when there is none. */
    public static int abiVersion() throws SysException {
        return (int) Sys.syscall("landlock_create_ruleset(VERSION)", Sys.SYS_LANDLOCK_CREATE_RULESET, 0, 0, CREATE_RULESET_VERSION);
    }

    /** Every file-system right {@code abi} knows. */
    static long handledFs(int abi) {
        int bits = abi >= 5 ? 16 : abi >= 3 ? 15 : abi == 2 ? 14 : 13;
        return (1L << bits) - 1;
    }

    /** The rights a grant gives, limited to what {@code abi} handles. */
    static long rights(Grant.Access access, int abi) {
        long r = switch (access) {
            case READ -> READ_FILE | READ_DIR;
            case READ_EXECUTE -> READ_FILE | READ_DIR | EXECUTE;
            case READ_WRITE -> READ_FILE | READ_DIR | WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG
                    | MAKE_SYM | REFER | TRUNCATE;
        };
        return r & handledFs(abi);
    }

    /**
     * Builds a ruleset for {@code abi} allowing only {@code grants} (and no TCP, but binding
     * {@code bindPort} if it is not 0), and restricts the calling thread to it. No-new-privileges
     * must already be set.
     */
    static void restrictSelf(int abi, List<Grant> grants, int bindPort) throws ConfinementException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(24, 8);
            attr.set(ValueLayout.JAVA_LONG, 0, handledFs(abi));
            if (abi >= 4) {
                attr.set(ValueLayout.JAVA_LONG, 8, NET_BIND_TCP | NET_CONNECT_TCP);
            }
            if (abi >= 6) {
                attr.set(ValueLayout.JAVA_LONG, 16, SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL);
            }
            // struct landlock_ruleset_attr grew with the ABI: pass the size this kernel knows.
            long size = abi >= 6 ? 24 : abi >= 4 ? 16 : 8;
            int ruleset = (int) step("landlock_create_ruleset", () -> Sys.syscall("landlock_create_ruleset",
                    Sys.SYS_LANDLOCK_CREATE_RULESET, attr.address(), size, 0));
            try {
                for (Grant g : grants) {
                    addRule(a, ruleset, g, abi);
                }
                if (bindPort != 0 && abi >= 4) {
                    // struct landlock_net_port_attr: u64 allowed_access, u64 port
                    MemorySegment rule = a.allocate(16, 8);
                    rule.set(ValueLayout.JAVA_LONG, 0, NET_BIND_TCP);
                    rule.set(ValueLayout.JAVA_LONG, 8, bindPort);
                    step("landlock_add_rule(tcp bind " + bindPort + ")", () -> Sys.syscall("landlock_add_rule", Sys.SYS_LANDLOCK_ADD_RULE,
                            ruleset, RULE_NET_PORT, rule.address(), 0));
                }
                step("landlock_restrict_self", () -> Sys.syscall("landlock_restrict_self", Sys.SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0, 0));
            } finally {
                Sys.closeQuietly(ruleset);
            }
        }
    }

    private static void addRule(Arena a, int ruleset, Grant g, int abi) throws ConfinementException {
        String step = "landlock_add_rule(" + g.path() + ")";
        int fd = (int) step(step, () -> Sys.open(g.path().toString(), Sys.O_PATH, 0));
        try {
            long allowed = rights(g.access(), abi);
            if (!Files.isDirectory(g.path())) {
                allowed &= FILE_ONLY; // the kernel refuses directory rights on a file rule (EINVAL)
            }
            // struct landlock_path_beneath_attr is packed: u64 allowed_access, s32 parent_fd.
            MemorySegment rule = a.allocate(12, 4);
            rule.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, allowed);
            rule.set(ValueLayout.JAVA_INT, 8, fd);
            step(step, () -> Sys.syscall("landlock_add_rule", Sys.SYS_LANDLOCK_ADD_RULE, ruleset, RULE_PATH_BENEATH, rule.address(), 0));
        } finally {
            Sys.closeQuietly(fd);
        }
    }

    interface Call {
        long run() throws SysException;
    }

    static long step(String step, Call call) throws ConfinementException {
        try {
            return call.run();
        } catch (SysException e) {
            throw new ConfinementException(step, Errno.describe(e.errno()));
        }
    }
}

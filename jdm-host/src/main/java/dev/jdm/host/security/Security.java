package dev.jdm.host.security;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.sec.BlkIo;
import dev.jdm.abi.sec.ChrCall;
import dev.jdm.abi.sec.DevOpen;
import dev.jdm.abi.sec.ExportConnect;
import dev.jdm.abi.sec.FilePermission;
import dev.jdm.abi.sec.ModuleOp;
import dev.jdm.abi.sec.ResourceGrant;
import dev.jdm.abi.sec.SecurityModule;
import dev.jdm.abi.sec.SysctlWrite;
import dev.jdm.abi.sec.TaskCred;
import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.sysctl.Sysctl;
import dev.jdm.host.task.Task;
import dev.jdm.host.task.TaskLifecycle;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The security framework's face to the rest of the host (LxDM-SM): one check per hook, each
 * throwing {@link HostException} (EACCES or EPERM, naming the deciding module and its reason) when
 * an enforcing module denies. Every registered module is consulted; the verdict and the reason do
 * not depend on registration order (see {@link Denial}); a module that throws, hangs or answers
 * nonsense counts as a deny.
 *
 * <p>A check reads the task's array and the published snapshot, takes no lock and writes nothing
 * shared. Call a task's checks only between its {@code alloc} and {@code free} (the task's owner
 * frees it after its last call), as the kernel does with a task's credentials.
 */
public final class Security implements TaskLifecycle, AutoCloseable {
    /** The task on whose behalf the current gate call runs; unbound for the host's own work. */
    public static final ScopedValue<Task> CALLER = ScopedValue.newInstance();

    private final Sysctl sysctl;
    private final LogRing log;
    private final Path stateDir;
    private final SecurityStack stack;
    private final Watchdog watchdog;
    private final Evaluator evaluator;
    private final Policies policies;
    private final SyslogAccess syslog;
    private volatile Consumer<Object> releaser = o -> { };
    private volatile Task hostTask;

    /** A framework with the host's sysctls ({@code security.*} are registered here), log and state directory. */
    public Security(Sysctl sysctl, LogRing log, Path stateDir) {
        this(sysctl, log, stateDir, OrderId.MAX_ID);
    }

    /** As above with at most {@code maxId} registrations in the host's life (tests of ID exhaustion). */
    public Security(Sysctl sysctl, LogRing log, Path stateDir, int maxId) {
        this.sysctl = sysctl;
        this.log = log;
        this.stateDir = stateDir;
        sysctl.register(new Sysctl.Entry("security.stack_locked", Sysctl.Type.BOOL, true, true, 0, 1,
                "once 1, no security module loads or unloads until the host restarts"), "0");
        sysctl.register(new Sysctl.Entry("security.hook_timeout_ms", Sysctl.Type.LONG, true, false, 10, 600_000,
                "how long one security hook may run before its module fails closed"), "1000");
        this.stack = new SecurityStack(maxId, (m, t) -> log(LogLevel.ERR, m.name + ": " + t + " (fail closed)"));
        sysctl.onChange("security.stack_locked", v -> {
            if ("1".equals(v)) {
                stack.lock();
                log(LogLevel.NOTICE, "security stack locked: no security module loads or unloads until the host restarts");
            }
        });
        this.watchdog = new Watchdog(() -> sysctl.longValue("security.hook_timeout_ms"),
                (m, why) -> log(LogLevel.ERR, m.name + ": " + why + "; it fails every check until replaced"));
        this.evaluator = new Evaluator(watchdog, this::log);
        this.policies = new Policies(this);
        this.syslog = new SyslogAccess(sysctl, dev.jdm.host.sys.Libc::getuid);
    }

    // ---- wiring --------------------------------------------------------------------------------

    /** Where the module manager's slated modules go when their last task leaves ({@code ModuleManager::release}). */
    public void setReleaser(Consumer<Object> releaser) {
        this.releaser = releaser;
    }

    /** The host's own task (uid 0), used when no gate call is in progress. */
    public void setHostTask(Task task) {
        this.hostTask = task;
        stack.setFollower(task);
    }

    /** The task of the current gate call, or the host's own. */
    public Task caller() {
        return CALLER.isBound() ? CALLER.get() : hostTask;
    }

    // ---- task lifecycle: task_alloc, task_free --------------------------------------------------

    /** task_alloc: votes on the new task, then gives it an array with every live module's data. */
    @Override
    public void alloc(Task task) {
        TaskCred cred = TaskCreds.of(task);
        Denial d = evaluator.evaluate(stack.snapshot(), stack.probe(cred), Hook.TASK_ALLOC, cred);
        if (d != null) {
            throw denied(Hook.TASK_ALLOC, cred, d);
        }
        stack.allocate(task, cred);
    }

    /** task_free: the task's data goes and its references drop; a draining module whose last holder this was is unloaded. */
    @Override
    public void free(Task task) {
        for (StackedModule m : stack.free(task)) {
            released(m);
        }
    }

    // ---- the checks: one per hook ---------------------------------------------------------------

    /** module_load: before anything of a module runs. */
    public void checkModuleLoad(Task task, ModuleOp module) {
        check(task, Hook.MODULE_LOAD, module);
    }

    /** module_unload: rmmod, modprobe -r, the old side of sec replace. */
    public void checkModuleUnload(Task task, ModuleOp module) {
        check(task, Hook.MODULE_UNLOAD, module);
    }

    /** sysctl_write: before a tunable changes (also guards sec reload as {@code security.policy.<module>}). */
    public void checkSysctlWrite(Task task, SysctlWrite write) {
        check(task, Hook.SYSCTL_WRITE, write);
    }

    /** dev_open: a block or char device node is opened with the requested access. */
    public void checkDevOpen(Task task, DevOpen device) {
        check(task, Hook.DEV_OPEN, device);
    }

    /**
     * Reading the host log (dmesg): {@code kernel.dmesg_restrict} decided by the host, then
     * dev_open of {@code kmsg} for the modules (see {@link SyslogAccess}).
     */
    public void checkSyslogRead(Task task) {
        checkDevOpen(task, syslog.check(task));
    }

    /**
     * A privileged change of a host setting that is not a sysctl proper (a boot guard, an export),
     * asked of the stack as {@code sysctl_write} of its name, so that caps and devacl govern it and
     * audit records it. With no security module live the check fails closed to the rule caps applies:
     * administrators only (uid 0, the host's uid).
     */
    public void checkSettingChange(Task task, SysctlWrite change) {
        requireAdministratorIfUnguarded(task, change.key(), "change it");
        checkSysctlWrite(task, change);
    }

    /**
     * With no security module live nothing enforces a setting's privilege or a node's mode, so such
     * a check fails closed to the rule caps applies: administrators only (uid 0, the host's uid).
     * The refusal reads "{@code subject}: uid U may not {@code action}: ...".
     */
    public void requireAdministratorIfUnguarded(Task task, String subject, String action) {
        if (list().stream().noneMatch(row -> row.state().equals("live"))) {
            int uid = task.credentials().uid();
            int owner = dev.jdm.host.sys.Libc.getuid();
            if (uid != 0 && uid != owner) {
                throw new HostException(Errno.EPERM, subject + ": uid " + uid + " may not " + action + ": with no security module loaded"
                        + " only administrators (uid 0" + (owner != 0 ? ", uid " + owner : "") + ") may");
            }
        }
    }

    /** file_permission: the host opens a file on the task's behalf. */
    public void checkFilePermission(Task task, FilePermission file) {
        check(task, Hook.FILE_PERMISSION, file);
    }

    /** blk_io: one block request (operation, LU, offset, length). */
    public void checkBlkIo(Task task, BlkIo io) {
        check(task, Hook.BLK_IO, io);
    }

    /** chr_call: a typed call or ioctl on a character device. */
    public void checkChrCall(Task task, ChrCall call) {
        check(task, Hook.CHR_CALL, call);
    }

    /** resource_grant: the I/O server grants a domain a resource. */
    public void checkResourceGrant(Task task, ResourceGrant grant) {
        check(task, Hook.RESOURCE_GRANT, grant);
    }

    /** export_connect: a client connects to an export (NBD). */
    public void checkExportConnect(Task task, ExportConnect connect) {
        check(task, Hook.EXPORT_CONNECT, connect);
    }

    /**
     * Runs one hook for a task.
     *
     * @throws HostException EACCES or EPERM with the deciding module's reason; EACCES for a task
     *     that has no array (never allocated, or freed) or after the host began to stop
     */
    public void check(Task task, Hook hook, Object args) {
        Object a = task == null ? null : task.security().get();
        if (task == null) {
            throw new HostException(Errno.EACCES, hook.abiName() + " " + hook.describe(args) + " refused: no task to check");
        }
        if (!(a instanceof TaskArray ta) || ta == TaskArray.FREED || stack.closed()) {
            throw new HostException(Errno.EACCES, hook.abiName() + " " + hook.describe(args) + " refused: task " + task.id()
                    + (a == TaskArray.FREED ? " has exited" : stack.closed() ? ": the host is stopping" : " has no security array"));
        }
        Denial d = evaluator.evaluate(stack.snapshot(), ta, hook, args);
        if (d != null) {
            throw denied(hook, args, d);
        }
    }

    private static HostException denied(Hook hook, Object args, Denial d) {
        return new HostException(d.code(), hook.abiName() + " " + hook.describe(args) + " denied by " + d.module() + ": " + d.reason());
    }

    // ---- the stack ------------------------------------------------------------------------------

    /**
     * Registers a security module directly (the host's own, and tests); modules use
     * {@code ModuleContext.security()}.
     */
    public StackedModule register(String name, SecurityModule impl, boolean permissive) {
        return stack.register(name, impl, permissive, null);
    }

    /**
     * Unregisters: the module drains (enforcing for the tasks that hold it) and goes with the last
     * of them. Returns true if it still drains.
     */
    public boolean unregister(StackedModule m) {
        return unregister(m, null);
    }

    /** As {@link #unregister(StackedModule)}, running {@code whenGone} once the module is gone (its exit, for modules the host registers itself). */
    public boolean unregister(StackedModule m, Runnable whenGone) {
        m.unloading = whenGone;
        boolean held = stack.drain(m);
        if (!held) {
            released(m);
        }
        return held;
    }

    /** The service through which the module manager meets the framework: module_load/unload checks, registrars, draining. */
    public dev.jdm.host.module.ModuleService<dev.jdm.abi.sec.SecurityRegistrar> moduleService() {
        return new SecurityService(this);
    }

    /** What {@code jdm sec ls} shows: every loaded module, then the recently gone. */
    public List<Row> list() {
        Snapshot s = stack.snapshot();
        return stack.list().stream().map(m -> new Row(m.name, m.state.name().toLowerCase(), m.permissive, m.refs.get(), m.id,
                s.orderOf(m), m.failure == null ? "" : m.failure)).toList();
    }

    /**
     * One line of {@code jdm sec ls}.
     *
     * @param order the module's slot now, -1 once gone
     * @param failure why it fails every check, or ""
     */
    public record Row(String name, String state, boolean permissive, int refs, int id, int order, String failure) {}

    /**
     * Gives a security module a new policy ({@code jdm sec reload}), checked as a write of sysctl
     * {@code security.policy.<module>}. With {@code text} null the host re-reads its policy file.
     *
     * @throws HostException EINVAL with line and column if the module refuses it; the old policy stays
     */
    public String reload(Task task, String module, String text) {
        return policies.reload(task, module, text);
    }

    /** Host stop: every module is gone and every later check fails closed. */
    @Override
    public void close() {
        for (StackedModule m : stack.close()) {
            if (m.owner instanceof Registrar r) {
                r.closeLogs();
            }
        }
        watchdog.close();
    }

    // ---- for the package ------------------------------------------------------------------------

    SecurityStack stack() {
        return stack;
    }

    Path stateDir() {
        return stateDir;
    }

    Path policyFile(String module) {
        return policies.file(module);
    }

    String policyText(String module) {
        return policies.text(module);
    }

    void released(StackedModule m) {
        if (m.owner instanceof Registrar r) {
            r.closeLogs();
        }
        log(LogLevel.INFO, m.name + ": security module gone (id " + m.id + ")");
        Object unloading = m.unloading;
        m.unloading = null;
        if (unloading instanceof Runnable r) {
            r.run();
        } else if (unloading != null) {
            releaser.accept(unloading);
        }
    }

    void log(LogLevel level, String message) {
        log.append(level, "security", message);
    }

    void info(String message) {
        log(LogLevel.INFO, message);
    }

    void warn(String message) {
        log(LogLevel.WARNING, message);
    }
}

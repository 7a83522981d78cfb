package dev.jdm.host.domain.process;

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
import dev.jdm.abi.sec.Vote;
import dev.jdm.host.domain.DomainProtocol;
import dev.jdm.host.domain.SecurityWire;
import dev.jdm.isolation.channel.ControlChannelException;
import dev.jdm.isolation.channel.Frame;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The security modules registered in this domain, voting for the host: each VOTE is decoded and
 * handed to its module on a thread of its own (a module that hangs holds only that thread; the
 * host's watchdog fails it), and the vote goes back as VOTED. A module's per-task data is kept
 * here by task id, made on the task's first vote and freed by TASK_FREE. A module that throws
 * votes deny, as the host counts a colocated module's exception.
 */
final class DomainVotes {
    private final HostLink host;
    private final Map<String, SecurityModule> modules = new ConcurrentHashMap<>();
    private final Map<String, Map<Long, Object>> data = new ConcurrentHashMap<>();

    DomainVotes(HostLink host) {
        this.host = host;
    }

    void add(String module, SecurityModule impl) {
        if (modules.putIfAbsent(module, impl) != null) {
            throw new IllegalStateException(module + ": a module registers one security module");
        }
        data.put(module, new ConcurrentHashMap<>());
    }

    void forget(String module) {
        modules.remove(module);
        data.remove(module);
    }

    void vote(Frame f) throws ControlChannelException {
        DomainProtocol.Reader in = new DomainProtocol.Reader("VOTE", f.payload());
        long id = in.l("id");
        String module = in.name("module");
        String hook = in.name("hook");
        TaskCred task = SecurityWire.task(in);
        Record args = in.b("has args") ? SecurityWire.record(in, argsOf(hook)) : null;
        in.end();
        // a platform thread: module code that spins or blocks in native code must not hold a
        // virtual thread's carrier, which the JVM cannot take back
        Thread.ofPlatform().daemon().name("vote-" + module + "-" + hook).start(() -> {
            Vote v;
            try {
                v = decide(module, hook, task, args);
            } catch (RuntimeException | LinkageError e) {
                host.log(module, LogLevel.ERR, hook + " threw " + e + "; voting deny");
                v = Vote.deny(Vote.EACCES, module + ": " + hook + " failed: " + e);
            }
            host.send(DomainProtocol.VOTED, new DomainProtocol.Writer().l(id).i(v.kind().ordinal()).i(v.errno()).b(v.reason() != null)
                    .message(v.reason()).bytes());
        });
    }

    void taskFree(Frame f) throws ControlChannelException {
        DomainProtocol.Reader in = new DomainProtocol.Reader("TASK_FREE", f.payload());
        String module = in.name("module");
        TaskCred task = SecurityWire.task(in);
        in.end();
        SecurityModule m = modules.get(module);
        Map<Long, Object> d = data.get(module);
        if (m != null && d != null && d.containsKey(task.taskId())) {
            try {
                Object stored = d.remove(task.taskId());
                m.taskFree(task, stored instanceof java.util.Optional<?> o ? o.orElse(null) : null);
            } catch (RuntimeException e) {
                host.log(module, LogLevel.ERR, "task_free threw " + e);
            }
        }
    }

    private Vote decide(String module, String hook, TaskCred task, Record args) {
        SecurityModule m = modules.get(module);
        if (m == null) {
            return Vote.deny(Vote.EACCES, module + ": no security module of that name in this domain");
        }
        if (hook.equals("task_alloc")) {
            return m.taskAlloc(task);
        }
        Map<Long, Object> d = data.get(module);
        Object taskData = d == null ? null : d.computeIfAbsent(task.taskId(), k -> java.util.Optional.ofNullable(m.taskData(task)));
        Object mine = taskData instanceof java.util.Optional<?> o ? o.orElse(null) : null;
        return switch (hook) {
            case "module_load" -> m.moduleLoad(task, mine, (ModuleOp) args);
            case "module_unload" -> m.moduleUnload(task, mine, (ModuleOp) args);
            case "sysctl_write" -> m.sysctlWrite(task, mine, (SysctlWrite) args);
            case "dev_open" -> m.devOpen(task, mine, (DevOpen) args);
            case "file_permission" -> m.filePermission(task, mine, (FilePermission) args);
            case "blk_io" -> m.blkIo(task, mine, (BlkIo) args);
            case "chr_call" -> m.chrCall(task, mine, (ChrCall) args);
            case "resource_grant" -> m.resourceGrant(task, mine, (ResourceGrant) args);
            case "export_connect" -> m.exportConnect(task, mine, (ExportConnect) args);
            default -> Vote.deny(Vote.EACCES, module + ": hook " + hook + " is not one this domain knows");
        };
    }

    /** The record each hook carries; a hook name the host did not send is the host breaking the protocol. */
    private static Class<? extends Record> argsOf(String hook) throws ControlChannelException {
        return switch (hook) {
            case "module_load", "module_unload" -> ModuleOp.class;
            case "sysctl_write" -> SysctlWrite.class;
            case "dev_open" -> DevOpen.class;
            case "file_permission" -> FilePermission.class;
            case "blk_io" -> BlkIo.class;
            case "chr_call" -> ChrCall.class;
            case "resource_grant" -> ResourceGrant.class;
            case "export_connect" -> ExportConnect.class;
            default -> throw new ControlChannelException("VOTE for hook " + hook + ", which carries no arguments");
        };
    }
}

package dev.jdm.host.security;

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

/** The voting hooks ({@code task_free} only notifies) and how each calls a module and names its object. */
public enum Hook {
    TASK_ALLOC("task_alloc"),
    MODULE_LOAD("module_load"),
    MODULE_UNLOAD("module_unload"),
    SYSCTL_WRITE("sysctl_write"),
    DEV_OPEN("dev_open"),
    FILE_PERMISSION("file_permission"),
    BLK_IO("blk_io"),
    CHR_CALL("chr_call"),
    RESOURCE_GRANT("resource_grant"),
    EXPORT_CONNECT("export_connect");

    private final String abiName;

    Hook(String abiName) {
        this.abiName = abiName;
    }

    /** The hook's name as documented, e.g. {@code dev_open}. */
    public String abiName() {
        return abiName;
    }

    /** Calls the module's method for this hook. */
    Vote call(SecurityModule m, TaskCred task, Object data, Object args) {
        return switch (this) {
            case TASK_ALLOC -> m.taskAlloc(task);
            case MODULE_LOAD -> m.moduleLoad(task, data, (ModuleOp) args);
            case MODULE_UNLOAD -> m.moduleUnload(task, data, (ModuleOp) args);
            case SYSCTL_WRITE -> m.sysctlWrite(task, data, (SysctlWrite) args);
            case DEV_OPEN -> m.devOpen(task, data, (DevOpen) args);
            case FILE_PERMISSION -> m.filePermission(task, data, (FilePermission) args);
            case BLK_IO -> m.blkIo(task, data, (BlkIo) args);
            case CHR_CALL -> m.chrCall(task, data, (ChrCall) args);
            case RESOURCE_GRANT -> m.resourceGrant(task, data, (ResourceGrant) args);
            case EXPORT_CONNECT -> m.exportConnect(task, data, (ExportConnect) args);
        };
    }

    /** The object in one line, for messages and audit records. */
    String describe(Object args) {
        return switch (args) {
            case TaskCred c -> "task " + c.taskId() + " uid=" + c.uid() + " gid=" + c.gid() + " pid=" + c.pid();
            case ModuleOp o -> "module " + o.name() + (o.version().isEmpty() ? "" : " " + o.version()) + " from " + o.origin()
                    + (o.force() ? " (force)" : "");
            case SysctlWrite w -> "sysctl " + w.key() + "=" + w.newValue() + " (was " + w.oldValue() + ")";
            case DevOpen d -> d.kind().name().toLowerCase() + " " + d.name() + " access=" + access(d.access())
                    + " owner=" + d.ownerUid() + " group=" + d.groupGid() + " mode=0" + Integer.toOctalString(d.mode());
            case FilePermission f -> "file " + f.path() + " access=" + access(f.access());
            case BlkIo b -> "blk " + b.op().name().toLowerCase() + " " + b.lu() + " offset=" + b.offset() + " length=" + b.length();
            case ChrCall c -> "chr " + c.device() + " " + c.call() + (c.command() == 0 ? "" : " cmd=0x" + Long.toHexString(c.command()));
            case ResourceGrant g -> "grant " + g.kind() + " " + g.resource() + " to " + g.domain()
                    + (g.length() == 0 ? "" : " [0x" + Long.toHexString(g.start()) + "+0x" + Long.toHexString(g.length()) + "]");
            case ExportConnect e -> "export " + e.export() + " via " + e.transport() + " from " + e.peer();
            default -> String.valueOf(args);
        };
    }

    static String access(int access) {
        return ((access & DevOpen.READ) != 0 ? "r" : "") + ((access & DevOpen.WRITE) != 0 ? "w" : "") + (access == 0 ? "-" : "");
    }
}

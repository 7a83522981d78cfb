package dev.jdm.host.wiring;

import dev.jdm.abi.sec.ChrCall;
import dev.jdm.abi.sec.DevOpen;
import dev.jdm.abi.sec.DeviceKind;
import dev.jdm.abi.sec.FilePermission;
import dev.jdm.host.chr.CharAccess;
import dev.jdm.host.chr.NodeInfo;
import dev.jdm.host.security.Security;
import dev.jdm.host.task.Task;

/**
 * One task's view of the character devices through the security hooks: {@code dev_open} when it
 * opens a node, {@code file_permission} of {@code /dev/NAME} on every read and write (so a policy
 * reloaded while a file is open applies to it), {@code chr_call} for typed calls and ioctls.
 */
public final class TaskCharAccess implements CharAccess {
    private final Security security;
    private final Task task;

    public TaskCharAccess(Security security, Task task) {
        this.security = security;
        this.task = task;
    }

    @Override
    public void checkOpen(NodeInfo node, int access) {
        security.requireAdministratorIfUnguarded(task, node.name(), "open it"); // nothing else would enforce its mode
        security.checkDevOpen(task, new DevOpen(DeviceKind.CHAR, node.name(), node.owner(), node.group(), node.mode(), access));
    }

    @Override
    public void checkFile(NodeInfo node, int access) {
        security.checkFilePermission(task, new FilePermission(node.path(), access));
    }

    @Override
    public void checkCall(NodeInfo node, String call, long command) {
        security.checkChrCall(task, new ChrCall(node.name(), call, command));
    }

    @Override
    public int uid() {
        return task.credentials().uid();
    }

    @Override
    public int gid() {
        return task.credentials().gid();
    }

    @Override
    public int pid() {
        return task.credentials().pid();
    }
}

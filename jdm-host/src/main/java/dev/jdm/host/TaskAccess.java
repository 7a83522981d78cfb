package dev.jdm.host;

import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.sec.BlkIo;
import dev.jdm.abi.sec.BlkOp;
import dev.jdm.abi.sec.DevOpen;
import dev.jdm.abi.sec.DeviceKind;
import dev.jdm.host.block.BlockAccess;
import dev.jdm.host.block.LuInfo;
import dev.jdm.host.security.Security;
import dev.jdm.host.sys.Libc;
import dev.jdm.host.sysctl.Sysctl;
import dev.jdm.host.task.Task;

/**
 * One task's view of the block layer through the security hooks: {@code dev_open} when it opens an
 * LU and {@code blk_io} on every request. LUs appear as device nodes the way /dev shows disks:
 * owned by the host's user, group {@code blk.device_gid} (6, "disk", by default), mode 0660.
 */
final class TaskAccess implements BlockAccess {
    /** rw-rw----, as udev gives disks. */
    private static final int DEVICE_MODE = SecurityExportAccess.DEVICE_MODE;

    private final Security security;
    private final Sysctl sysctl;
    private final Task task;

    TaskAccess(Security security, Sysctl sysctl, Task task) {
        this.security = security;
        this.sysctl = sysctl;
        this.task = task;
    }

    @Override
    public void checkOpen(LuInfo lu, boolean write) {
        int access = DevOpen.READ | (write ? DevOpen.WRITE : 0);
        security.checkDevOpen(task, new DevOpen(DeviceKind.BLOCK, lu.name(), Libc.getuid(), (int) sysctl.longValue("blk.device_gid"),
                DEVICE_MODE, access));
    }

    @Override
    public String checkIo(BlockOp op, String lu, long offset, long length) {
        try {
            security.checkBlkIo(task, new BlkIo(BlkOp.valueOf(op.name()), lu, offset, length));
            return null;
        } catch (HostException e) {
            return e.getMessage();
        }
    }
}

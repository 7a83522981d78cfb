package dev.jdm.host.wiring;

import dev.jdm.host.HostException;
import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.sec.BlkIo;
import dev.jdm.abi.sec.BlkOp;
import dev.jdm.host.block.BlockAccess;
import dev.jdm.host.block.LuInfo;
import dev.jdm.host.security.Security;
import dev.jdm.host.sysctl.Sysctl;
import dev.jdm.host.task.Task;

/**
 * One task's view of the block layer through the security hooks: {@code dev_open} when it opens an
 * LU (as a {@link DeviceNodes} node) and {@code blk_io} on every request.
 */
public final class TaskAccess implements BlockAccess {
    private final Security security;
    private final Sysctl sysctl;
    private final Task task;

    public TaskAccess(Security security, Sysctl sysctl, Task task) {
        this.security = security;
        this.sysctl = sysctl;
        this.task = task;
    }

    @Override
    public void checkOpen(LuInfo lu, boolean write) {
        security.checkDevOpen(task, DeviceNodes.block(sysctl, lu.name(), write));
    }

    @Override
    public String checkIo(BlockOp op, String lu, long offset, long length) {
        try {
            security.checkBlkIo(task, new BlkIo(blkOp(op), lu, offset, length));
            return null;
        } catch (HostException e) {
            return e.getMessage();
        }
    }

    /** The security ABI's name for a block operation; asked once per request, so no lookup by name. */
    private static BlkOp blkOp(BlockOp op) {
        return switch (op) {
            case READ -> BlkOp.READ;
            case WRITE -> BlkOp.WRITE;
            case FLUSH -> BlkOp.FLUSH;
            case WRITE_ZEROES -> BlkOp.WRITE_ZEROES;
            case DISCARD -> BlkOp.DISCARD;
        };
    }
}

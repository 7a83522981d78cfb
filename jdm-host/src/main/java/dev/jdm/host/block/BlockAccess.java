package dev.jdm.host.block;

import dev.jdm.abi.blk.BlockOp;

/**
 * What one task may do with LUs: the security framework's {@code dev_open} and {@code blk_io}
 * hooks as the block layer asks them. A handle opened for a task checks every request it submits,
 * so a policy change or a drained security module takes effect on the next request, not the next
 * open. Implementations fail closed: an error inside a check is a refusal.
 */
public interface BlockAccess {
    /** The host's own work (start-up, rescans): no task to check. */
    BlockAccess HOST = new BlockAccess() {
        @Override
        public void checkOpen(LuInfo lu, boolean write) {}

        @Override
        public String checkIo(BlockOp op, String lu, long offset, long length) {
            return null;
        }
    };

    /**
     * Checks opening {@code lu} for reading, and for writing if {@code write}.
     *
     * @throws dev.jdm.host.HostException EACCES or EPERM naming the module that refused
     */
    void checkOpen(LuInfo lu, boolean write);

    /** Checks one request; returns null if allowed, else the refusal's one-line reason. */
    String checkIo(BlockOp op, String lu, long offset, long length);
}

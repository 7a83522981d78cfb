package dev.jdm.host.export;

import dev.jdm.host.task.Task;

/**
 * The security hooks an export protocol calls: {@code export_connect} once when a connection
 * picks an export, {@code blk_io} before every request. The host wires these to its security
 * framework. Callers fail closed: a hook that throws is taken as a refusal.
 */
public interface ExportAccess {

    /** The kinds of request {@link #blkIo} is asked about. */
    enum Op { READ, WRITE, FLUSH, TRIM, WRITE_ZEROES, CACHE, BLOCK_STATUS }

    /**
     * Where a connection comes from.
     *
     * @param transport {@code unix}, {@code tcp}, or {@code tls} once NBD_OPT_STARTTLS succeeded
     * @param address the socket path served, or the remote {@code host:port}
     * @param credentialsKnown whether the task's credentials are known: from the kernel (SO_PEERCRED
     *     on a Unix socket, the socket table for a loopback TCP peer) or from a verified client
     *     certificate mapped to an identity; otherwise the task's uid, gid and pid are -1
     */
    record Peer(String transport, String address, boolean credentialsKnown) {}

    /**
     * May {@code task} use {@code export}? Asked for NBD_OPT_GO, NBD_OPT_INFO, NBD_OPT_EXPORT_NAME
     * and to decide which exports NBD_OPT_LIST shows.
     *
     * @param readOnly whether the export is read-only
     */
    boolean exportConnect(Task task, Peer peer, String export, boolean readOnly);

    /** May {@code task} perform {@code op} on {@code [offset, offset + length)} of {@code export}? */
    boolean blkIo(Task task, String export, Op op, long offset, long length);

    /** Allows everything: the default until a security module takes over. */
    ExportAccess ALLOW_ALL = new ExportAccess() {
        @Override
        public boolean exportConnect(Task task, Peer peer, String export, boolean readOnly) {
            return true;
        }

        @Override
        public boolean blkIo(Task task, String export, Op op, long offset, long length) {
            return true;
        }
    };
}

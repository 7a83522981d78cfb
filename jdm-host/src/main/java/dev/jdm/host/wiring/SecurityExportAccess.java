package dev.jdm.host.wiring;

import dev.jdm.host.HostException;
import dev.jdm.abi.sec.BlkIo;
import dev.jdm.abi.sec.BlkOp;
import dev.jdm.abi.sec.ExportConnect;
import dev.jdm.host.export.Export;
import dev.jdm.host.export.ExportAccess;
import dev.jdm.host.export.ExportRegistry;
import dev.jdm.host.security.Security;
import dev.jdm.host.sysctl.Sysctl;
import dev.jdm.host.task.Task;

/**
 * The NBD server's hooks on the security stack. Connecting to an export is {@code export_connect}
 * and then {@code dev_open} of the device behind it (read, and write unless the export is
 * read-only), so the device's owner, group and mode ({@link DeviceNodes}) apply to NBD clients as to any other opener;
 * each request is {@code blk_io} on the device. A refusal is already logged and audited by the
 * stack; here it only becomes {@code false}.
 */
final class SecurityExportAccess implements ExportAccess {
    private final Security security;
    private final Sysctl sysctl;
    private final ExportRegistry exports;

    SecurityExportAccess(Security security, Sysctl sysctl, ExportRegistry exports) {
        this.security = security;
        this.sysctl = sysctl;
        this.exports = exports;
    }

    @Override
    public boolean exportConnect(Task task, Peer peer, String export, boolean readOnly) {
        try {
            security.checkExportConnect(task, new ExportConnect(export, peer.transport(), peer.address()));
            security.checkDevOpen(task, DeviceNodes.block(sysctl, device(export), !readOnly));
            return true;
        } catch (HostException refused) {
            return false;
        }
    }

    @Override
    public boolean blkIo(Task task, String export, Op op, long offset, long length) {
        BlkOp blk = switch (op) {
            case READ, CACHE, BLOCK_STATUS -> BlkOp.READ;
            case WRITE -> BlkOp.WRITE;
            case FLUSH -> BlkOp.FLUSH;
            case TRIM -> BlkOp.DISCARD;
            case WRITE_ZEROES -> BlkOp.WRITE_ZEROES;
        };
        try {
            security.checkBlkIo(task, new BlkIo(blk, device(export), offset, length));
            return true;
        } catch (HostException refused) {
            return false;
        }
    }

    /** The device behind an export, as hooks name it (an LU such as ram0p1). */
    private String device(String export) {
        return exports.find(export).map(Export::device).map(d -> d.name()).orElse(export);
    }
}

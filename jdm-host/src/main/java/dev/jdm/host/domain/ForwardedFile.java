package dev.jdm.host.domain;

import dev.jdm.abi.chr.CharFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An open file of a node served in a domain; its state lives there, under {@code handle}. A read or
 * write longer than one frame's data ({@link DomainProtocol#MAX_CHR_DATA}) is cut into parts, sent
 * one after the other while the driver takes or gives whole parts; a short part, EAGAIN or an
 * error after some bytes ends it with the bytes so far, as a Linux read returns what it has.
 * Answers are checked: more data than asked, or a count that is not the data's, fails with EIO.
 */
final class ForwardedFile implements CharFile {
    private static final byte[] NONE = new byte[0];
    private final ChrPeer chr;
    private final String module;
    private final String node;
    private final long handle;

    ForwardedFile(ChrPeer chr, String module, String node, long handle) {
        this.chr = chr;
        this.module = module;
        this.node = node;
        this.handle = handle;
    }

    private ChrPeer.Done op(int op, long x, long y, byte[] data) {
        return chr.op(module, node, op, handle, x, y, 0, "", "", data);
    }

    @Override
    public int read(MemorySegment dst) {
        long done = 0;
        while (done < dst.byteSize()) {
            int ask = (int) Math.min(dst.byteSize() - done, DomainProtocol.MAX_CHR_DATA);
            ChrPeer.Done d = op(ChrOps.READ, ask, 0, NONE);
            if (d.value() < 0) {
                if (done > 0) {
                    break;
                }
                return d.value() >= -4095 ? (int) d.value() : (int) chr.status(node + ": read", d); // -EAGAIN and the rest as the driver said
            }
            if (d.value() > ask || d.data().length != d.value()) {
                throw chr.garbage(node + ": read", "a count of " + d.value() + " with " + d.data().length + " bytes, for " + ask + " asked");
            }
            MemorySegment.copy(d.data(), 0, dst, ValueLayout.JAVA_BYTE, done, d.data().length);
            done += d.value();
            if (d.value() < ask) {
                break;
            }
        }
        return (int) done;
    }

    @Override
    public int write(MemorySegment src) {
        long done = 0;
        while (done < src.byteSize()) {
            int part = (int) Math.min(src.byteSize() - done, DomainProtocol.MAX_CHR_DATA);
            ChrPeer.Done d = op(ChrOps.WRITE, 0, 0, src.asSlice(done, part).toArray(ValueLayout.JAVA_BYTE));
            if (d.value() < 0) {
                if (done > 0) {
                    break;
                }
                return d.value() >= -4095 ? (int) d.value() : (int) chr.status(node + ": write", d); // -EAGAIN and the rest as the driver said
            }
            if (d.value() > part || d.value() == 0) {
                throw chr.garbage(node + ": write", "took " + d.value() + " of " + part + " bytes");
            }
            done += d.value();
            if (d.value() < part) {
                break;
            }
        }
        return (int) done;
    }

    @Override
    public int poll() {
        long v = op(ChrOps.POLL, 0, 0, NONE).value();
        return v < 0 || v > Integer.MAX_VALUE ? POLLERR : (int) v;
    }

    @Override
    public long seek(long offset, int whence) {
        ChrPeer.Done d = op(ChrOps.SEEK, offset, whence, NONE);
        return d.value() < 0 && d.value() >= -4095 ? d.value() : chr.status(node + ": seek", d);
    }

    @Override
    public long ioctl(int cmd, MemorySegment arg) {
        byte[] in = arg.toArray(ValueLayout.JAVA_BYTE);
        ChrPeer.Done d = op(ChrOps.IOCTL, cmd, 0, in);
        if (d.value() < 0 && d.value() >= -4095) {
            return d.value();
        }
        long v = chr.status(node + ": ioctl", d);
        if (d.data().length != in.length) {
            throw chr.garbage(node + ": ioctl 0x" + Integer.toHexString(cmd), d.data().length + " bytes of argument back, for " + in.length);
        }
        MemorySegment.copy(d.data(), 0, arg, ValueLayout.JAVA_BYTE, 0, in.length);
        return v;
    }

    @Override
    public void release() {
        chr.tell(module, node, ChrOps.RELEASE, handle);
    }
}

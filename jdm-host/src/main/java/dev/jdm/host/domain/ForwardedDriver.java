package dev.jdm.host.domain;

import dev.jdm.abi.chr.CharDriver;
import dev.jdm.abi.chr.CharException;
import dev.jdm.abi.chr.CharFile;
import dev.jdm.abi.chr.CharOpen;

/** The host's driver of a node served in a domain: each open is an OPEN there, its file a {@link ForwardedFile}. */
final class ForwardedDriver implements CharDriver {
    private final ChrPeer chr;
    private final String module;
    private final String node;

    ForwardedDriver(ChrPeer chr, String module, String node) {
        this.chr = chr;
        this.module = module;
        this.node = node;
    }

    @Override
    public CharFile open(CharOpen open) {
        ChrPeer.Done d = chr.op(module, node, ChrOps.OPEN, 0, open.flags(), open.uid(), (long) open.gid() << 32 | (open.pid() & 0xffffffffL), "", "",
                new byte[0]);
        if (d.value() < 0 && d.value() >= -4095) {
            throw new CharException((int) -d.value(), d.message());
        }
        if (d.value() < 1) {
            throw chr.garbage(node + ": open", "file handle " + d.value());
        }
        return new ForwardedFile(chr, module, node, d.value());
    }
}

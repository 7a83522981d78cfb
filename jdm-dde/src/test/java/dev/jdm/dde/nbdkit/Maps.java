package dev.jdm.dde.nbdkit;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Reading a whole disk through the library: its map and its checksum. */
final class Maps {
    private Maps() {}

    /** Joins neighbours of one type: NBD lets a server split a run wherever it likes. */
    static List<Extent> merge(List<Extent> extents) {
        List<Extent> out = new ArrayList<>();
        for (Extent e : extents) {
            Extent last = out.isEmpty() ? null : out.getLast();
            if (last != null && last.type() == e.type() && last.offset() + last.length() == e.offset()) {
                out.set(out.size() - 1, new Extent(last.offset(), last.length() + e.length(), e.hole(), e.zero()));
            } else {
                out.add(e);
            }
        }
        return out;
    }

    /** The map of the whole disk, asked for piece by piece as a client does (at most 4 GiB-1 at once). */
    static List<Extent> map(PluginConnection c) throws NbdkitException {
        List<Extent> all = new ArrayList<>();
        for (long off = 0; off < c.size(); ) {
            long len = Math.min(c.size() - off, 0xffff_f000L);
            List<Extent> part = c.extents(off, len, 0);
            all.addAll(part);
            Extent last = part.getLast();
            off = last.offset() + last.length();
        }
        return merge(all);
    }

    static String sha256(PluginConnection c) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(4 << 20);
            for (long off = 0; off < c.size(); off += buf.byteSize()) {
                MemorySegment part = buf.asSlice(0, Math.min(buf.byteSize(), c.size() - off));
                c.pread(part, off);
                ByteBuffer bb = part.asByteBuffer();
                md.update(bb);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}

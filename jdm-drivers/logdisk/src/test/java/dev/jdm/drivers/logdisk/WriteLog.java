package dev.jdm.drivers.logdisk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * A logdisk log read back: its entries in log order. A WRITE's data stays in the file; each entry
 * keeps a digest per 512-byte sector, so a log of hundreds of MiB is checked in a few MiB of heap,
 * and {@link #image} rebuilds the disk a power cut would leave, for fsck.
 */
public record WriteLog(Path file, List<Entry> entries) {
    public static final int SECTOR = 512;
    private static final long ZERO_SECTOR = digest(ByteBuffer.allocate(SECTOR));

    /** One entry ({@link LogFormat}); {@code dataAt} is the file offset of a WRITE's data, -1 for other kinds. */
    public record Entry(int kind, boolean fua, long seq, long offset, long length, long nanos, long dataAt, long[] digests) {
        /** The digest of the data this entry leaves in sector {@code i} of its range (zeroes for ZERO). */
        long digest(int i) {
            return digests == null ? ZERO_SECTOR : digests[i];
        }
    }

    /** A 64-bit digest of one sector: CRC32C and CRC32 side by side (both are intrinsics). */
    public static long digest(ByteBuffer sector) {
        CRC32C c = new CRC32C();
        c.update(sector.duplicate());
        CRC32 d = new CRC32();
        d.update(sector.duplicate());
        return c.getValue() << 32 | d.getValue();
    }

    /** Digests of each sector of {@code data} (its length a multiple of 512). */
    public static long[] digests(ByteBuffer data) {
        long[] out = new long[data.remaining() / SECTOR];
        for (int i = 0; i < out.length; i++) {
            out[i] = digest(data.slice(data.position() + i * SECTOR, SECTOR));
        }
        return out;
    }

    public static long[] digests(byte[] data) {
        return digests(ByteBuffer.wrap(data));
    }

    public static WriteLog read(Path file) throws IOException {
        List<Entry> out = new ArrayList<>();
        ByteBuffer header = ByteBuffer.allocate(LogFormat.HEADER).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer data = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long at = 0;
            long size = ch.size();
            while (size - at >= LogFormat.HEADER) {
                header.clear();
                readFully(ch, header, at);
                if (header.getInt(LogFormat.MAGIC_AT) != LogFormat.MAGIC) {
                    throw new IOException(file + ": entry " + out.size() + " at byte " + at + ": bad magic");
                }
                int kind = header.getShort(LogFormat.KIND_AT);
                long length = header.getLong(LogFormat.LENGTH_AT);
                long offset = header.getLong(LogFormat.OFFSET_AT);
                if (length % SECTOR != 0 || offset % SECTOR != 0 || length < 0) {
                    throw new IOException(file + ": entry " + out.size() + " at byte " + at + ": range " + offset + "+" + length + " is not in whole sectors");
                }
                at += LogFormat.HEADER;
                long dataAt = -1;
                long[] digests = null;
                if (LogFormat.hasData(kind)) {
                    if (size - at < length) {
                        throw new IOException(file + ": entry " + out.size() + " at byte " + (at - LogFormat.HEADER) + ": its data is cut short");
                    }
                    dataAt = at;
                    digests = new long[(int) (length / SECTOR)];
                    for (long done = 0; done < length; ) {
                        int n = (int) Math.min(data.capacity(), length - done);
                        data.clear().limit(n);
                        readFully(ch, data, at + done);
                        data.flip();
                        long[] part = digests(data);
                        System.arraycopy(part, 0, digests, (int) (done / SECTOR), part.length);
                        done += n;
                    }
                    at += length;
                }
                out.add(new Entry(kind, (header.getShort(LogFormat.FLAGS_AT) & LogFormat.FLAG_FUA) != 0, header.getLong(LogFormat.SEQ_AT),
                        offset, length, header.getLong(LogFormat.NANOS_AT), dataAt, digests));
            }
        }
        return new WriteLog(file, List.copyOf(out));
    }

    /** This log without the entries {@code drop} selects: the log a host that lost them would have left. */
    public WriteLog without(java.util.function.Predicate<Entry> drop) {
        return new WriteLog(file, entries.stream().filter(drop.negate()).toList());
    }

    /**
     * Writes to {@code out} the disk a power cut after {@code cut} entries leaves when only what is
     * promised survives: every entry before the cut's last FLUSH, and the FUA ones after it, applied
     * in log order over zeroes.
     */
    public void image(int cut, Path out, long deviceSize) throws IOException {
        int lastFlush = -1;
        for (int i = 0; i < cut; i++) {
            if (entries.get(i).kind() == LogFormat.FLUSH) {
                lastFlush = i;
            }
        }
        ByteBuffer data = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel log = FileChannel.open(file, StandardOpenOption.READ);
                FileChannel img = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            img.truncate(0);
            img.write(ByteBuffer.allocate(1), deviceSize - 1); // sized, sparse: unwritten sectors read as zeroes
            for (int i = 0; i < cut; i++) {
                Entry e = entries.get(i);
                if (e.kind() == LogFormat.FLUSH || i > lastFlush && !e.fua()) {
                    continue;
                }
                for (long done = 0; done < e.length(); ) {
                    int n = (int) Math.min(data.capacity(), e.length() - done);
                    data.clear().limit(n);
                    if (e.kind() == LogFormat.WRITE) {
                        readFully(log, data, e.dataAt() + done);
                    } else {
                        data.put(new byte[n]);
                    }
                    data.flip();
                    while (data.hasRemaining()) {
                        img.write(data, e.offset() + done + data.position());
                    }
                    done += n;
                }
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new IOException("unexpected end of the log at byte " + (at + b.position()));
            }
        }
    }
}

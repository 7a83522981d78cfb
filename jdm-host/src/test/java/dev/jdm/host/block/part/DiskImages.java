package dev.jdm.host.block.part;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Crafts partition tables in memory, byte by byte from the specs, to feed the scanner. */
final class DiskImages {
    final byte[] disk;
    final int bs;

    DiskImages(long size, int blockSize) {
        this.disk = new byte[(int) size];
        this.bs = blockSize;
    }

    ByteBuffer at(long offset) {
        return ByteBuffer.wrap(disk).order(ByteOrder.LITTLE_ENDIAN).position((int) offset).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    long blocks() {
        return disk.length / bs;
    }

    PartitionScanner.Reader reader() {
        return (off, len) -> {
            if (off < 0 || off + len > disk.length) {
                throw new java.io.IOException("read beyond the image at " + off);
            }
            byte[] b = new byte[len];
            System.arraycopy(disk, (int) off, b, 0, len);
            return b;
        };
    }

    PartitionTable scan() {
        return PartitionScanner.scan(reader(), disk.length, bs);
    }

    /** An MBR entry in the sector at {@code sectorOffset}. */
    DiskImages mbrEntry(long sectorOffset, int index, int type, long firstLba, long sectors) {
        ByteBuffer b = at(sectorOffset + 446 + index * 16L);
        b.put(4, (byte) type).putInt(8, (int) firstLba).putInt(12, (int) sectors);
        at(sectorOffset).putShort(510, (short) 0xAA55);
        return this;
    }

    DiskImages signature(int sig) {
        at(0).putInt(440, sig);
        return this;
    }

    static final UUID LINUX_FS = UUID.fromString("0fc63daf-8483-4772-8e79-3d69d8477de4");

    /** A protective MBR, primary and backup GPT headers with {@code entries} (first, last LBA). */
    DiskImages gpt(long[][] entries) {
        mbrEntry(0, 0, 0xEE, 1, Math.min(blocks() - 1, 0xFFFFFFFFL));
        byte[] array = new byte[128 * 128];
        ByteBuffer a = ByteBuffer.wrap(array).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < entries.length; i++) {
            putGuid(a, i * 128, LINUX_FS);
            putGuid(a, i * 128 + 16, new UUID(0x1111L, i + 1));
            a.putLong(i * 128 + 32, entries[i][0]).putLong(i * 128 + 40, entries[i][1]);
            byte[] name = ("part" + (i + 1)).getBytes(StandardCharsets.UTF_16LE);
            a.put(i * 128 + 56, name);
        }
        long last = blocks() - 1;
        long arrayBlocks = array.length / bs;
        System.arraycopy(array, 0, disk, 2 * bs, array.length);
        System.arraycopy(array, 0, disk, (int) ((last - arrayBlocks) * bs), array.length);
        header(1, last, 2, array);
        header(last, 1, last - arrayBlocks, array);
        return this;
    }

    private void header(long my, long alternate, long entriesLba, byte[] array) {
        ByteBuffer h = at(my * bs);
        h.putLong(0, 0x5452415020494645L).putInt(8, 0x00010000).putInt(12, 92).putInt(16, 0);
        h.putLong(24, my).putLong(32, alternate).putLong(40, 34).putLong(48, blocks() - 34);
        putGuid(h, 56, UUID.fromString("01234567-89ab-cdef-0123-456789abcdef"));
        h.putLong(72, entriesLba).putInt(80, 128).putInt(84, 128).putInt(88, PartitionScanner.crc(array));
        rehash(my);
    }

    /** Recomputes a header's CRC after it was changed on purpose. */
    DiskImages rehash(long lba) {
        ByteBuffer h = at(lba * bs);
        h.putInt(16, 0);
        byte[] hdr = new byte[92];
        h.get(0, hdr);
        h.putInt(16, PartitionScanner.crc(hdr));
        return this;
    }

    static void putGuid(ByteBuffer b, int at, UUID u) {
        long hi = u.getMostSignificantBits();
        b.putInt(at, (int) (hi >>> 32)).putShort(at + 4, (short) (hi >>> 16)).putShort(at + 6, (short) hi);
        ByteBuffer be = ByteBuffer.allocate(8).putLong(u.getLeastSignificantBits());
        b.put(at + 8, be.array());
    }
}

package dev.jdm.host.block.part;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Reads a disk's partition table: GPT behind a protective MBR (primary header, else the backup),
 * or an MBR with its extended/logical chain. Nothing in the table is trusted: an entry that ends
 * beyond the disk, overlaps an earlier one, or sits outside its container is reported and
 * ignored; a GPT header or entry array with a bad CRC is rejected. Every loop is bounded.
 */
public final class PartitionScanner {
    /** Reads {@code length} bytes at byte {@code offset} of the disk. */
    @FunctionalInterface
    public interface Reader {
        byte[] read(long offset, int length) throws IOException;
    }

    private final Reader reader;
    private final long size;
    private final int blockSize;
    private final long blocks;
    private final List<String> problems = new ArrayList<>();

    private PartitionScanner(Reader reader, long size, int blockSize) {
        this.reader = reader;
        this.size = size;
        this.blockSize = blockSize;
        this.blocks = size / blockSize;
    }

    /**
     * Scans a disk of {@code size} bytes with logical blocks of {@code blockSize} bytes.
     *
     * @return the table; type {@code none} with the reason among the problems if nothing usable
     */
    public static PartitionTable scan(Reader reader, long size, int blockSize) {
        PartitionScanner s = new PartitionScanner(reader, size, blockSize);
        try {
            return s.scan();
        } catch (IOException e) {
            s.problems.add("read failed: " + e.getMessage() + "; no partitions");
            return PartitionTable.none(s.problems);
        }
    }

    private PartitionTable scan() throws IOException {
        if (size < 2L * blockSize || blockSize < MbrLayout.SECTOR) {
            return PartitionTable.none(problems);
        }
        ByteBuffer mbr = le(reader.read(0, MbrLayout.SECTOR));
        if ((mbr.getShort(MbrLayout.BOOT_SIGNATURE) & 0xffff) != 0xAA55) {
            return PartitionTable.none(problems);
        }
        for (int i = 0; i < MbrLayout.ENTRY_COUNT; i++) {
            if ((mbr.get(MbrLayout.entry(i) + MbrLayout.ENTRY_TYPE) & 0xff) == MbrLayout.TYPE_GPT_PROTECTIVE) {
                return gpt();
            }
        }
        return dos(mbr);
    }

    // ---- MBR ----

    private PartitionTable dos(ByteBuffer mbr) throws IOException {
        String signature = String.format("%08x", mbr.getInt(MbrLayout.DISK_SIGNATURE));
        List<Partition> found = new ArrayList<>();
        Partition extended = null;
        for (int i = 0; i < MbrLayout.ENTRY_COUNT; i++) {
            int at = MbrLayout.entry(i);
            int type = mbr.get(at + MbrLayout.ENTRY_TYPE) & 0xff;
            long first = Integer.toUnsignedLong(mbr.getInt(at + MbrLayout.ENTRY_FIRST_LBA));
            long count = Integer.toUnsignedLong(mbr.getInt(at + MbrLayout.ENTRY_SECTORS));
            if (type == MbrLayout.TYPE_EMPTY || count == 0) {
                continue;
            }
            Partition p = new Partition(i + 1, first * blockSize, count * blockSize, String.format("0x%02x", type),
                    signature + "-" + String.format("%02x", i + 1), "");
            if (!fits("dos entry " + (i + 1), p, blockSize, size)) {
                continue;
            }
            if (MbrLayout.isExtended(type)) {
                if (extended != null) {
                    problems.add("dos entry " + (i + 1) + ": a second extended partition; ignored");
                    continue;
                }
                extended = p;
                found.add(p);
            } else {
                found.add(p);
            }
        }
        List<Partition> data = new ArrayList<>(withoutOverlaps(found));
        if (extended != null && data.remove(extended)) {
            data.addAll(logicals(extended, signature, data));
        }
        data.sort(Comparator.comparingInt(Partition::number));
        return new PartitionTable("dos", signature, data, problems);
    }

    /** Follows the EBR chain inside {@code ext}: each EBR's first entry is a logical partition relative to the EBR, its second the next EBR relative to the extended partition. */
    private List<Partition> logicals(Partition ext, String signature, List<Partition> primaries) throws IOException {
        List<Partition> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        long extLba = ext.start() / blockSize;
        long ebr = extLba;
        int number = 5;
        while (ebr >= 0) {
            if (out.size() >= MbrLayout.MAX_LOGICAL) {
                problems.add("dos: more than " + MbrLayout.MAX_LOGICAL + " logical partitions; the rest ignored");
                break;
            }
            if (!seen.add(ebr)) {
                problems.add("dos: EBR chain loops back to LBA " + ebr + "; stopped");
                break;
            }
            if (ebr * blockSize + MbrLayout.SECTOR > ext.end() || ebr < extLba) {
                problems.add("dos: EBR at LBA " + ebr + " lies outside the extended partition; stopped");
                break;
            }
            ByteBuffer b = le(reader.read(ebr * blockSize, MbrLayout.SECTOR));
            if ((b.getShort(MbrLayout.BOOT_SIGNATURE) & 0xffff) != 0xAA55) {
                problems.add("dos: EBR at LBA " + ebr + " has no 55AA signature; stopped");
                break;
            }
            int e0 = MbrLayout.entry(0);
            int type = b.get(e0 + MbrLayout.ENTRY_TYPE) & 0xff;
            long first = Integer.toUnsignedLong(b.getInt(e0 + MbrLayout.ENTRY_FIRST_LBA));
            long count = Integer.toUnsignedLong(b.getInt(e0 + MbrLayout.ENTRY_SECTORS));
            if (type != MbrLayout.TYPE_EMPTY && count > 0) {
                Partition p = new Partition(number, (ebr + first) * blockSize, count * blockSize, String.format("0x%02x", type),
                        signature + "-" + String.format("%02x", number), "");
                if (p.start() < ext.start() || p.end() > ext.end()) {
                    problems.add("dos logical " + number + ": lies outside the extended partition; ignored");
                } else if (first == 0) {
                    problems.add("dos logical " + number + ": starts on its own EBR; ignored");
                } else if (overlapsAny(p, out) || overlapsAny(p, primaries)) {
                    problems.add("dos logical " + number + ": overlaps another partition; ignored");
                } else {
                    out.add(p);
                }
                number++;
            }
            int e1 = MbrLayout.entry(1);
            long next = Integer.toUnsignedLong(b.getInt(e1 + MbrLayout.ENTRY_FIRST_LBA));
            int nextType = b.get(e1 + MbrLayout.ENTRY_TYPE) & 0xff;
            ebr = nextType == MbrLayout.TYPE_EMPTY || next == 0 ? -1 : extLba + next;
        }
        return out;
    }

    // ---- GPT ----

    private PartitionTable gpt() throws IOException {
        List<String> primaryProblems = new ArrayList<>();
        Gpt primary = readGpt(1, primaryProblems);
        if (primary != null) {
            return primary.table(problems);
        }
        problems.addAll(primaryProblems);
        List<String> backupProblems = new ArrayList<>();
        Gpt backup = readGpt(blocks - 1, backupProblems);
        if (backup != null) {
            problems.add("gpt: primary header rejected; using the backup at LBA " + (blocks - 1));
            return backup.table(problems);
        }
        problems.addAll(backupProblems);
        problems.add("gpt: no valid header; protective MBR present, so the disk is treated as unpartitioned");
        return new PartitionTable("none", "", List.of(), problems);
    }

    private record Gpt(String diskGuid, List<Partition> partitions, List<String> entryProblems) {
        PartitionTable table(List<String> headerProblems) {
            List<String> all = new ArrayList<>(headerProblems);
            all.addAll(entryProblems);
            return new PartitionTable("gpt", diskGuid, partitions, all);
        }
    }

    private Gpt readGpt(long lba, List<String> bad) throws IOException {
        String where = "gpt header at LBA " + lba;
        ByteBuffer h = le(reader.read(lba * blockSize, blockSize));
        if (h.getLong(GptLayout.H_SIGNATURE) != GptLayout.SIGNATURE) {
            bad.add(where + ": no \"EFI PART\" signature");
            return null;
        }
        int headerSize = h.getInt(GptLayout.H_HEADER_SIZE);
        if (headerSize < GptLayout.HEADER_MIN || headerSize > blockSize) {
            bad.add(where + ": header size " + headerSize + " outside " + GptLayout.HEADER_MIN + ".." + blockSize);
            return null;
        }
        byte[] copy = new byte[headerSize];
        h.get(0, copy);
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(GptLayout.H_HEADER_CRC, 0);
        int crc = crc(copy);
        if (crc != h.getInt(GptLayout.H_HEADER_CRC)) {
            bad.add(where + ": header CRC32 mismatch (stored " + hex(h.getInt(GptLayout.H_HEADER_CRC)) + ", computed " + hex(crc) + ")");
            return null;
        }
        long myLba = h.getLong(GptLayout.H_MY_LBA);
        long firstUsable = h.getLong(GptLayout.H_FIRST_USABLE);
        long lastUsable = h.getLong(GptLayout.H_LAST_USABLE);
        long entriesLba = h.getLong(GptLayout.H_ENTRIES_LBA);
        int count = h.getInt(GptLayout.H_ENTRY_COUNT);
        int entrySize = h.getInt(GptLayout.H_ENTRY_SIZE);
        if (myLba != lba) {
            bad.add(where + ": says it is at LBA " + myLba);
            return null;
        }
        if (firstUsable < 2 || lastUsable < firstUsable || lastUsable >= blocks) {
            bad.add(where + ": usable range " + firstUsable + ".." + lastUsable + " does not fit a disk of " + blocks + " blocks");
            return null;
        }
        if (entrySize < GptLayout.ENTRY_MIN || entrySize > GptLayout.MAX_ENTRY_SIZE || entrySize % GptLayout.ENTRY_MIN != 0
                || count < 0 || count > GptLayout.MAX_ENTRY_COUNT || (long) count * entrySize > GptLayout.MAX_ENTRY_BYTES) {
            bad.add(where + ": entry array of " + Integer.toUnsignedString(count) + " x " + entrySize + " bytes is not acceptable");
            return null;
        }
        int arrayBytes = count * entrySize;
        long arrayBlocks = (arrayBytes + blockSize - 1) / blockSize;
        if (entriesLba < 2 || entriesLba + arrayBlocks > blocks
                || (entriesLba + arrayBlocks > firstUsable && entriesLba <= lastUsable)) {
            bad.add(where + ": entry array at LBA " + entriesLba + " lies outside the disk or inside the usable area");
            return null;
        }
        byte[] array = arrayBytes == 0 ? new byte[0] : reader.read(entriesLba * blockSize, arrayBytes);
        int arrayCrc = crc(array);
        if (arrayCrc != h.getInt(GptLayout.H_ENTRIES_CRC)) {
            bad.add(where + ": entry array CRC32 mismatch (stored " + hex(h.getInt(GptLayout.H_ENTRIES_CRC)) + ", computed " + hex(arrayCrc) + ")");
            return null;
        }
        List<String> entryProblems = new ArrayList<>();
        List<Partition> parts = new ArrayList<>();
        ByteBuffer a = le(array);
        for (int i = 0; i < count; i++) {
            int at = i * entrySize;
            String type = guid(a, at + GptLayout.E_TYPE_GUID);
            if (type.equals("00000000-0000-0000-0000-000000000000")) {
                continue;
            }
            long first = a.getLong(at + GptLayout.E_FIRST_LBA);
            long last = a.getLong(at + GptLayout.E_LAST_LBA);
            String name = "gpt entry " + (i + 1);
            if (first < firstUsable || last > lastUsable || last < first) {
                entryProblems.add(name + ": LBA " + first + ".." + last + " lies outside the usable range " + firstUsable + ".." + lastUsable
                        + (last >= blocks ? " (beyond the end of the disk)" : "") + "; ignored");
                continue;
            }
            Partition p = new Partition(i + 1, first * blockSize, (last - first + 1) * blockSize, type,
                    guid(a, at + GptLayout.E_UNIQUE_GUID), utf16(array, at + GptLayout.E_NAME));
            if (overlapsAny(p, parts)) {
                entryProblems.add(name + ": overlaps an earlier partition; ignored");
                continue;
            }
            parts.add(p);
        }
        return new Gpt(guid(h, GptLayout.H_DISK_GUID), parts, entryProblems);
    }

    // ---- helpers ----

    private boolean fits(String what, Partition p, int unit, long diskSize) {
        if (p.start() == 0) {
            problems.add(what + ": starts at LBA 0, on the table itself; ignored");
            return false;
        }
        if (p.end() > diskSize) {
            problems.add(what + ": ends at byte " + p.end() + ", beyond the end of the disk (" + diskSize + " bytes); ignored");
            return false;
        }
        return true;
    }

    private List<Partition> withoutOverlaps(List<Partition> in) {
        List<Partition> kept = new ArrayList<>();
        for (Partition p : in) {
            if (overlapsAny(p, kept)) {
                problems.add("dos entry " + p.number() + ": overlaps an earlier partition; ignored");
            } else {
                kept.add(p);
            }
        }
        return kept;
    }

    private static boolean overlapsAny(Partition p, List<Partition> others) {
        for (Partition o : others) {
            if (p.start() < o.end() && o.start() < p.end()) {
                return true;
            }
        }
        return false;
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    static int crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return (int) c.getValue();
    }

    private static String hex(int v) {
        return String.format("0x%08x", v);
    }

    /** A GUID in its mixed-endian on-disk form (first three fields little-endian), as text. */
    static String guid(ByteBuffer b, int at) {
        return String.format("%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", b.getInt(at), b.getShort(at + 4), b.getShort(at + 6),
                b.get(at + 8), b.get(at + 9), b.get(at + 10), b.get(at + 11), b.get(at + 12), b.get(at + 13), b.get(at + 14), b.get(at + 15));
    }

    private static String utf16(byte[] b, int at) {
        String s = new String(b, at, GptLayout.E_NAME_BYTES, StandardCharsets.UTF_16LE);
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }
}

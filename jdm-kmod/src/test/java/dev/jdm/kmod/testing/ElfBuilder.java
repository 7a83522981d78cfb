package dev.jdm.kmod.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds small ELF relocatable files for tests: either class, either byte order. */
public final class ElfBuilder {
    private record Section(String name, int type, long flags, byte[] data, int link, long entsize) {
    }

    private final boolean is64;
    private final ByteOrder order;
    private final List<Section> sections = new ArrayList<>();
    private boolean extendedIndexes;

    public ElfBuilder(boolean is64, ByteOrder order) {
        this.is64 = is64;
        this.order = order;
    }

    public ElfBuilder section(String name, int type, long flags, byte[] data) {
        sections.add(new Section(name, type, flags, data, 0, 0));
        return this;
    }

    public ElfBuilder section(String name, byte[] data) {
        return section(name, 1 /* PROGBITS */, 0x2, data);
    }

    public ElfBuilder strings(String name, String... strings) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String s : strings) {
            b.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            b.write(0);
        }
        return section(name, b.toByteArray());
    }

    /** Writes e_shnum = 0 and e_shstrndx = SHN_XINDEX, with the real values in section 0. */
    public ElfBuilder extendedIndexes() {
        this.extendedIndexes = true;
        return this;
    }

    /** A __versions section: (crc, name) pairs in 64-byte entries. */
    public byte[] versions(Object... crcAndName) {
        ByteBuffer b = ByteBuffer.allocate(64 * (crcAndName.length / 2)).order(order);
        for (int i = 0; i < crcAndName.length; i += 2) {
            int at = 64 * (i / 2);
            long crc = ((Number) crcAndName[i]).longValue();
            if (is64) {
                b.putLong(at, crc);
            } else {
                b.putInt(at, (int) crc);
            }
            byte[] n = ((String) crcAndName[i + 1]).getBytes(StandardCharsets.ISO_8859_1);
            b.put(at + (is64 ? 8 : 4), n);
        }
        return b.array();
    }

    public byte[] build() {
        int ehdr = is64 ? 64 : 52;
        int shdr = is64 ? 64 : 40;
        ByteArrayOutputStream names = new ByteArrayOutputStream();
        names.write(0);
        List<Integer> nameOffsets = new ArrayList<>();
        List<Section> all = new ArrayList<>(sections);
        all.add(new Section(".shstrtab", 3, 0, null, 0, 0));
        for (Section s : all) {
            nameOffsets.add(names.size());
            names.writeBytes(s.name().getBytes(StandardCharsets.ISO_8859_1));
            names.write(0);
        }
        byte[] shstrtab = names.toByteArray();
        List<Long> offsets = new ArrayList<>();
        long at = ehdr;
        for (Section s : all) {
            offsets.add(at);
            at += (s.data() == null ? shstrtab : s.data()).length;
        }
        long shoff = (at + 7) & ~7L;
        int count = all.size() + 1;
        ByteBuffer b = ByteBuffer.allocate((int) (shoff + (long) count * shdr)).order(order);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) (is64 ? 2 : 1), (byte) (order == ByteOrder.LITTLE_ENDIAN ? 1 : 2), 1});
        b.putShort(16, (short) 1);  // ET_REL
        b.putShort(18, (short) 62); // EM_X86_64
        int shstrndx = count - 1;
        if (is64) {
            b.putLong(40, shoff);
            b.putShort(52, (short) ehdr);
            b.putShort(58, (short) shdr);
            b.putShort(60, (short) (extendedIndexes ? 0 : count));
            b.putShort(62, (short) (extendedIndexes ? 0xffff : shstrndx));
        } else {
            b.putInt(32, (int) shoff);
            b.putShort(40, (short) ehdr);
            b.putShort(46, (short) shdr);
            b.putShort(48, (short) (extendedIndexes ? 0 : count));
            b.putShort(50, (short) (extendedIndexes ? 0xffff : shstrndx));
        }
        if (extendedIndexes) { // section 0 carries sh_size = count and sh_link = shstrndx
            putHeader(b, (int) shoff, 0, 0, 0, 0, count, shstrndx, 0);
        }
        for (int i = 0; i < all.size(); i++) {
            Section s = all.get(i);
            byte[] data = s.data() == null ? shstrtab : s.data();
            b.put(offsets.get(i).intValue(), data);
            putHeader(b, (int) (shoff + (long) (i + 1) * shdr), nameOffsets.get(i), s.type(), s.flags(), offsets.get(i),
                    data.length, s.link(), s.entsize());
        }
        return b.array();
    }

    private void putHeader(ByteBuffer b, int at, int name, int type, long flags, long offset, long size, int link, long entsize) {
        b.putInt(at, name);
        b.putInt(at + 4, type);
        if (is64) {
            b.putLong(at + 8, flags);
            b.putLong(at + 24, offset);
            b.putLong(at + 32, size);
            b.putInt(at + 40, link);
            b.putLong(at + 56, entsize);
        } else {
            b.putInt(at + 8, (int) flags);
            b.putInt(at + 16, (int) offset);
            b.putInt(at + 20, (int) size);
            b.putInt(at + 24, link);
            b.putInt(at + 36, (int) entsize);
        }
    }
}

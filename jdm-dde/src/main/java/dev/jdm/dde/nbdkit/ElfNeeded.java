package dev.jdm.dde.nbdkit;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code DT_NEEDED} entries of a 64-bit little-endian ELF shared object held in memory: the
 * libraries the dynamic linker would open for it by name. Only what that needs is read (the
 * program headers, the dynamic segment and its string table); anything out of bounds is refused.
 */
final class ElfNeeded {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final long DT_NULL = 0;
    private static final long DT_NEEDED = 1;
    private static final long DT_STRTAB = 5;

    private ElfNeeded() {}

    /** @throws NbdkitException EINVAL naming {@code what} if the image is not such an object */
    static List<String> of(String what, MemorySegment elf) throws NbdkitException {
        try {
            if (elf.byteSize() < 64 || elf.get(U32, 0) != 0x464c457f || elf.get(ValueLayout.JAVA_BYTE, 4) != 2
                    || elf.get(ValueLayout.JAVA_BYTE, 5) != 1) {
                throw new NbdkitException(22, what + " is not a 64-bit little-endian ELF object");
            }
            long phoff = elf.get(U64, 0x20);
            int phentsize = Short.toUnsignedInt(elf.get(U16, 0x36));
            int phnum = Short.toUnsignedInt(elf.get(U16, 0x38));
            long dynOff = -1;
            long dynSize = 0;
            List<long[]> loads = new ArrayList<>(); // vaddr, offset, filesz
            for (int i = 0; i < phnum; i++) {
                long ph = phoff + (long) i * phentsize;
                int type = elf.get(U32, ph);
                if (type == PT_LOAD) {
                    loads.add(new long[] {elf.get(U64, ph + 0x10), elf.get(U64, ph + 8), elf.get(U64, ph + 0x20)});
                } else if (type == PT_DYNAMIC) {
                    dynOff = elf.get(U64, ph + 8);
                    dynSize = elf.get(U64, ph + 0x20);
                }
            }
            if (dynOff < 0) {
                return List.of(); // linked statically: needs nothing
            }
            long strtab = -1;
            List<Long> needed = new ArrayList<>();
            for (long d = dynOff; d + 16 <= dynOff + dynSize; d += 16) {
                long tag = elf.get(U64, d);
                long val = elf.get(U64, d + 8);
                if (tag == DT_NULL) {
                    break;
                } else if (tag == DT_NEEDED) {
                    needed.add(val);
                } else if (tag == DT_STRTAB) {
                    strtab = fileOffset(loads, val);
                }
            }
            if (needed.isEmpty()) {
                return List.of();
            }
            if (strtab < 0) {
                throw new NbdkitException(22, what + ": its dynamic section has no string table in a loaded segment");
            }
            List<String> names = new ArrayList<>();
            for (long n : needed) {
                names.add(elf.getString(strtab + n));
            }
            return names;
        } catch (IndexOutOfBoundsException e) {
            throw new NbdkitException(22, what + ": a header points outside the file (" + e.getMessage() + ")");
        }
    }

    private static long fileOffset(List<long[]> loads, long vaddr) {
        for (long[] l : loads) {
            if (vaddr >= l[0] && vaddr < l[0] + l[2]) {
                return vaddr - l[0] + l[1];
            }
        }
        return -1;
    }
}

package dev.jdm.kmod.symbols;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.elf.ElfDescriptor;
import dev.jdm.kmod.elf.ElfFile;
import dev.jdm.kmod.elf.ElfSection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The CRCs a module was built against: what {@code modprobe --show-modversions} lists.
 *
 * <ul>
 *   <li>{@code __versions}: 64-byte {@code struct modversion_info} entries, a CRC word
 *       (4 bytes on ELF32, 8 on ELF64) then a NUL-terminated name; a leading '.' (PPC64
 *       function descriptors) is dropped, as libkmod does.</li>
 *   <li>Linux 6.14+ extended modversions: {@code __version_ext_crcs} (u32 each) and
 *       {@code __version_ext_names} (NUL-separated, same order). When present they take
 *       precedence, because long symbol names (Rust) only appear there.</li>
 * </ul>
 */
public final class ModVersions {
    public static final String VERSIONS = "__versions";
    public static final String EXT_CRCS = "__version_ext_crcs";
    public static final String EXT_NAMES = "__version_ext_names";

    private ModVersions() {
    }

    /** True if the module carries any modversions section. */
    public static boolean present(ElfFile elf) {
        return elf.find(EXT_NAMES).isPresent() || elf.find(VERSIONS).isPresent();
    }

    /** The versions in section order; empty if the module has none. */
    public static List<SymbolVersion> read(ElfFile elf) throws KmodException {
        Optional<ElfSection> names = elf.find(EXT_NAMES);
        Optional<ElfSection> crcs = elf.find(EXT_CRCS);
        if (names.isPresent() && crcs.isPresent()) {
            return readExtended(elf, crcs.get(), names.get());
        }
        Optional<ElfSection> versions = elf.find(VERSIONS);
        return versions.isPresent() ? readVersions(elf, versions.get()) : List.of();
    }

    static List<SymbolVersion> readVersions(ElfFile elf, ElfSection s) throws KmodException {
        return readVersions(elf, s, true);
    }

    /** Entries with names as stored (no '.' stripping): what depmod matches symbols against. */
    static List<SymbolVersion> readVersionsRaw(ElfFile elf, ElfSection s) throws KmodException {
        return readVersions(elf, s, false);
    }

    private static List<SymbolVersion> readVersions(ElfFile elf, ElfSection s, boolean stripDot) throws KmodException {
        int entry = ElfDescriptor.MODVERSION_ENTRY_SIZE;
        if (s.size() % entry != 0) {
            throw elf.problem(VERSIONS + " size " + s.size() + " is not a multiple of " + entry);
        }
        int crcSize = elf.descriptor().wordSize;
        int count = (int) (s.size() / entry);
        List<SymbolVersion> out = new ArrayList<>(count);
        byte[] raw = elf.sectionBytes(s); // one copy; byte-wise reads of a mapped buffer are slow
        for (int i = 0; i < count; i++) {
            long at = s.offset() + (long) i * entry;
            long crc = crcSize == 8 ? elf.u64(at) : elf.u32(at);
            int from = i * entry + crcSize;
            int end = from;
            while (end < (i + 1) * entry && raw[end] != 0) {
                end++;
            }
            if (end == (i + 1) * entry) {
                throw elf.problem("unterminated string at offset " + (at + crcSize));
            }
            String name = new String(raw, from, end - from, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (stripDot && name.startsWith(".")) {
                name = name.substring(1);
            }
            out.add(new SymbolVersion(name, crc));
        }
        return out;
    }

    static List<SymbolVersion> readExtended(ElfFile elf, ElfSection crcs, ElfSection names) throws KmodException {
        if (crcs.size() % 4 != 0) {
            throw elf.problem(EXT_CRCS + " size " + crcs.size() + " is not a multiple of 4");
        }
        List<SymbolVersion> out = new ArrayList<>();
        long at = names.offset();
        long end = names.offset() + names.size();
        int i = 0;
        while (at < end) {
            String name = elf.cString(at, end);
            if (4L * i >= crcs.size()) {
                throw elf.problem(EXT_NAMES + " has more names than " + EXT_CRCS + " has CRCs");
            }
            out.add(new SymbolVersion(name, elf.u32(crcs.offset() + 4L * i)));
            at += name.length() + 1;
            i++;
        }
        return out;
    }
}

package dev.jdm.kmod.symbols;

import static dev.jdm.kmod.elf.ElfDescriptor.SHN_ABS;
import static dev.jdm.kmod.elf.ElfDescriptor.SHN_UNDEF;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.elf.ElfFile;
import dev.jdm.kmod.elf.ElfSection;
import dev.jdm.kmod.elf.SymbolTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Symbols a module exports, recovered from .symtab as libkmod's {@code kmod_elf_get_symbols}
 * does (and therefore as {@code modprobe --show-exports} and depmod see them):
 * <ul>
 *   <li>every {@code __crc_<sym>} symbol, in symtab order; its value is the CRC itself when
 *       the symbol is absolute, otherwise an offset into its section ({@code __kcrctab});</li>
 *   <li>without any {@code __crc_} symbol, the strings of {@code __ksymtab_strings}, CRC 0.</li>
 * </ul>
 * GPL-ness comes from the section holding {@code __ksymtab_<sym>} and the namespace from
 * {@code __kstrtabns_<sym>}; kmod does not print them but the kABI checks need them.
 */
public final class Exports {
    private static final String CRC = "__crc_";
    private static final String KSYMTAB = "__ksymtab_";
    private static final String KSTRTABNS = "__kstrtabns_";
    private static final byte[] CRC_BYTES = CRC.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KSYMTAB_BYTES = KSYMTAB.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KSTRTABNS_BYTES = KSTRTABNS.getBytes(StandardCharsets.US_ASCII);

    private Exports() {
    }

    public static List<ExportedSymbol> read(ElfFile elf) throws KmodException {
        SymbolTable symbols;
        try {
            symbols = elf.symbolTable();
        } catch (KmodException corruptSymtab) {
            symbols = null; // libkmod falls back to __ksymtab_strings here too
        }
        Set<String> gpl = new HashSet<>();
        Map<String, String> namespaces = new HashMap<>();
        List<Integer> crcs = new ArrayList<>();
        // Names are compared in place: only the few that matter are decoded (see SymbolTable).
        for (int i = 1; symbols != null && i < symbols.size(); i++) {
            if (symbols.nameStartsWith(i, CRC_BYTES)) {
                crcs.add(i);
            } else if (symbols.nameStartsWith(i, KSYMTAB_BYTES) && isGplSection(elf, symbols.shndx(i))) {
                gpl.add(symbols.name(i, KSYMTAB.length()));
            } else if (symbols.nameStartsWith(i, KSTRTABNS_BYTES)) {
                String n = symbols.name(i, KSTRTABNS.length());
                namespace(elf, symbols.value(i), symbols.shndx(i)).ifPresent(ns -> namespaces.put(n, ns));
            }
        }
        List<ExportedSymbol> out = new ArrayList<>();
        if (!crcs.isEmpty()) {
            for (int i : crcs) {
                String name = symbols.name(i, CRC.length());
                out.add(new ExportedSymbol(name, resolveCrc(elf, symbols.value(i), symbols.shndx(i)), gpl.contains(name),
                        namespaces.getOrDefault(name, "")));
            }
            return out;
        }
        Optional<ElfSection> strings = elf.find("__ksymtab_strings");
        if (strings.isPresent()) {
            for (String name : elf.strings(strings.get())) {
                out.add(new ExportedSymbol(name, 0, gpl.contains(name), namespaces.getOrDefault(name, "")));
            }
        }
        return out;
    }

    /** kmod_elf_resolve_crc: absolute value, or a u32 read at that offset of the symbol's section; -1 if invalid. */
    static long resolveCrc(ElfFile elf, long value, int shndx) {
        if (shndx == SHN_ABS || shndx == SHN_UNDEF) {
            return value;
        }
        try {
            ElfSection s = elf.section(shndx);
            if (!s.inFile() || s.size() < 4 || Long.compareUnsigned(value, s.size() - 4) > 0) {
                return -1L;
            }
            return elf.u32(s.offset() + value);
        } catch (KmodException e) {
            return -1L;
        }
    }

    private static boolean isGplSection(ElfFile elf, int shndx) {
        return elf.isSection(shndx, "__ksymtab_gpl");
    }

    private static Optional<String> namespace(ElfFile elf, long value, int shndx) {
        try {
            ElfSection sec = elf.section(shndx);
            if (!sec.inFile() || Long.compareUnsigned(value, sec.size()) >= 0) {
                return Optional.empty();
            }
            return Optional.of(elf.cString(sec.offset() + value, sec.offset() + sec.size()));
        } catch (KmodException e) {
            return Optional.empty();
        }
    }
}

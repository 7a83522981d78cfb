package dev.jdm.kmod.symbols;

import static dev.jdm.kmod.elf.ElfDescriptor.EM_SPARC;
import static dev.jdm.kmod.elf.ElfDescriptor.EM_SPARCV9;
import static dev.jdm.kmod.elf.ElfDescriptor.STB_WEAK;
import static dev.jdm.kmod.elf.ElfDescriptor.STT_REGISTER;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.elf.ElfDescriptor;
import dev.jdm.kmod.elf.ElfFile;
import dev.jdm.kmod.elf.Names;
import dev.jdm.kmod.elf.ElfSection;
import dev.jdm.kmod.elf.SymbolTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The symbols a module imports, in the order of libkmod's
 * {@code kmod_elf_get_dependency_symbols}: undefined .symtab symbols (each with its CRC from
 * {@code __versions}), then the {@code __versions} entries no symbol referred to, such as
 * {@code module_layout}. depmod's dependency order depends on this order.
 */
public final class Imports {
    private Imports() {
    }

    public static List<ImportedSymbol> read(ElfFile elf) throws KmodException {
        List<SymbolVersion> versions = List.of();
        Optional<ElfSection> v = elf.find(ModVersions.VERSIONS);
        if (v.isPresent() && v.get().size() % 64 == 0) {
            versions = ModVersions.readVersionsRaw(elf, v.get());
        }
        if (elf.find(".symtab").isEmpty() || elf.find(".strtab").isEmpty()) {
            throw KmodException.in(elf.file(), "no .symtab/.strtab; cannot list imported symbols");
        }
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < versions.size(); i++) {
            firstIndex.putIfAbsent(versions.get(i).symbol(), i);
        }
        boolean[] visited = new boolean[versions.size()];
        boolean sparc = elf.machine() == EM_SPARC || elf.machine() == EM_SPARCV9;
        List<ImportedSymbol> out = new ArrayList<>();
        SymbolTable symbols = elf.symbolTable();
        for (int i = 1; i < symbols.size(); i++) {
            if (!symbols.isUndefined(i) || (sparc && (symbols.info(i) & 0xf) == STT_REGISTER) || symbols.nameIsEmpty(i)) {
                continue;
            }
            String name = symbols.name(i);
            Integer idx = firstIndex.get(name);
            long crc = 0;
            if (idx != null) {
                visited[idx] = true;
                crc = versions.get(idx).crc();
            }
            out.add(new ImportedSymbol(name, crc, ((symbols.info(i) >>> 4) & 0xf) == STB_WEAK));
        }
        for (int i = 0; i < versions.size(); i++) {
            if (!visited[i]) {
                out.add(new ImportedSymbol(versions.get(i).symbol(), versions.get(i).crc(), false));
            }
        }
        return out;
    }

    /**
     * {@link #read(ElfFile)}, the same list, with names and records interned in {@code names}
     * across the modules one thread reads (depmod): an import equal to one met before is that
     * record again, and no name is decoded twice.
     */
    public static List<ImportedSymbol> read(ElfFile elf, Names names) throws KmodException {
        int generation = names.generation();
        int[] versionSlots = NONE;
        long[] versionCrcs = null;
        Optional<ElfSection> v = elf.find(ModVersions.VERSIONS);
        if (v.isPresent() && v.get().size() % 64 == 0) {
            ElfSection s = v.get();
            int entry = ElfDescriptor.MODVERSION_ENTRY_SIZE;
            int crcSize = elf.descriptor().wordSize;
            int count = (int) (s.size() / entry);
            versionSlots = new int[count];
            versionCrcs = new long[count];
            byte[] raw = elf.sectionBytes(s);
            for (int i = 0; i < count; i++) {
                long at = s.offset() + (long) i * entry;
                int from = i * entry + crcSize;
                int end = from;
                while (end < (i + 1) * entry && raw[end] != 0) {
                    end++;
                }
                if (end == (i + 1) * entry) {
                    throw elf.problem("unterminated string at offset " + (at + crcSize)); // as ModVersions says it
                }
                versionCrcs[i] = crcSize == 8 ? elf.u64(at) : elf.u32(at);
                int slot = names.slot(raw, from, end);
                versionSlots[i] = slot;
                if (!names.marked(slot, generation)) {
                    names.mark(slot, generation, i); // the first entry of a name, as firstIndex.putIfAbsent
                }
            }
        }
        if (elf.find(".symtab").isEmpty() || elf.find(".strtab").isEmpty()) {
            throw KmodException.in(elf.file(), "no .symtab/.strtab; cannot list imported symbols");
        }
        boolean[] visited = new boolean[versionSlots.length];
        boolean sparc = elf.machine() == EM_SPARC || elf.machine() == EM_SPARCV9;
        // sized for the usual case, every import versioned: the list is kept, and its growth was garbage
        List<ImportedSymbol> out = new ArrayList<>(versionSlots.length + 4);
        SymbolTable symbols = elf.symbolTable();
        for (int i = 1; i < symbols.size(); i++) {
            if (!symbols.isUndefined(i) || (sparc && (symbols.info(i) & 0xf) == STT_REGISTER) || symbols.nameIsEmpty(i)) {
                continue;
            }
            int slot = symbols.name(i, names);
            long crc = 0;
            if (names.marked(slot, generation)) {
                int idx = names.value(slot);
                visited[idx] = true;
                crc = versionCrcs[idx];
            }
            out.add(record(names, slot, crc, ((symbols.info(i) >>> 4) & 0xf) == STB_WEAK));
        }
        for (int i = 0; i < versionSlots.length; i++) {
            if (!visited[i]) {
                out.add(record(names, versionSlots[i], versionCrcs[i], false));
            }
        }
        return out;
    }

    private static final int[] NONE = new int[0];

    /** The record last made of this name if it says the same, else a new one, kept for next time. */
    private static ImportedSymbol record(Names names, int slot, long crc, boolean weak) {
        if (names.attachment(slot) instanceof ImportedSymbol s && s.crc() == crc && s.weak() == weak) {
            return s;
        }
        ImportedSymbol s = new ImportedSymbol(names.name(slot), crc, weak);
        names.attach(slot, s);
        return s;
    }
}

package dev.jdm.kmod.symbols;

import static dev.jdm.kmod.elf.ElfDescriptor.EM_SPARC;
import static dev.jdm.kmod.elf.ElfDescriptor.EM_SPARCV9;
import static dev.jdm.kmod.elf.ElfDescriptor.STB_WEAK;
import static dev.jdm.kmod.elf.ElfDescriptor.STT_REGISTER;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.elf.ElfFile;
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
}

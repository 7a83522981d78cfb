package dev.jdm.kmod.weak;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.elf.ElfFile;
import dev.jdm.kmod.io.ModuleFile;
import dev.jdm.kmod.symbols.ExportedSymbol;
import dev.jdm.kmod.symbols.Exports;
import dev.jdm.kmod.symbols.ImportedSymbol;
import dev.jdm.kmod.symbols.Imports;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Who needs whom in a set of modules, as depmod links them: a module depends on the member that
 * exports a symbol it imports, unless the kernel exports that symbol itself.
 */
final class Providers {
    private Providers() {
    }

    /**
     * For each member, the symbols it takes from other members, each with the member it takes
     * it from (the first exporter, in the set's order).
     */
    static <T> Map<T, Map<String, T>> among(List<T> members, Function<T, Path> file, Set<String> kernelSymbols)
            throws KmodException {
        Map<String, T> exporter = new HashMap<>();
        Map<T, List<ImportedSymbol>> imports = new HashMap<>();
        for (T m : members) {
            ElfFile elf = ModuleFile.open(file.apply(m)).elf();
            for (ExportedSymbol x : Exports.read(elf)) {
                if (!kernelSymbols.contains(x.symbol())) {
                    exporter.putIfAbsent(x.symbol(), m);
                }
            }
            imports.put(m, Imports.read(elf));
        }
        Map<T, Map<String, T>> out = new HashMap<>();
        for (T m : members) {
            Map<String, T> deps = new LinkedHashMap<>();
            for (ImportedSymbol i : imports.get(m)) {
                T from = exporter.get(i.symbol());
                if (from != null && from != m) {
                    deps.putIfAbsent(i.symbol(), from);
                }
            }
            out.put(m, deps);
        }
        return out;
    }
}

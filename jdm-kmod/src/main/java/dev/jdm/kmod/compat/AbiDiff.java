package dev.jdm.kmod.compat;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.io.Compression;
import dev.jdm.kmod.io.ModuleFile;
import dev.jdm.kmod.modinfo.ModuleNames;
import dev.jdm.kmod.symbols.ImportedSymbol;
import dev.jdm.kmod.symbols.Imports;
import dev.jdm.kmod.symbols.Symvers;
import dev.jdm.kmod.symbols.SymversEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The kABI difference between two kernels' Module.symvers: added, removed and changed
 * symbols, optionally narrowed to what a set of out-of-tree modules imports, and the RHEL
 * weak-modules rule (a module can be reused on the new kernel when every symbol it imports is
 * still exported there with the same CRC).
 */
public final class AbiDiff {
    private AbiDiff() {
    }

    /** All changes, sorted by exporting module, namespace and symbol. */
    public static List<SymbolChange> diff(Symvers oldK, Symvers newK, Set<String> onlySymbols) {
        List<SymbolChange> out = new ArrayList<>();
        for (SymversEntry o : oldK.entries()) {
            if (onlySymbols != null && !onlySymbols.contains(o.symbol())) {
                continue;
            }
            SymversEntry n = newK.get(o.symbol());
            if (n == null) {
                out.add(new SymbolChange(SymbolChange.Change.REMOVED, o.symbol(), o.module(), o.namespace(), o.crc(), -1));
            } else if (n.crc() != o.crc()) {
                out.add(new SymbolChange(SymbolChange.Change.CRC_CHANGED, o.symbol(), n.module(), n.namespace(), o.crc(), n.crc()));
            }
        }
        for (SymversEntry n : newK.entries()) {
            if ((onlySymbols == null || onlySymbols.contains(n.symbol())) && oldK.get(n.symbol()) == null) {
                out.add(new SymbolChange(SymbolChange.Change.ADDED, n.symbol(), n.module(), n.namespace(), -1, n.crc()));
            }
        }
        out.sort(Comparator.comparing(SymbolChange::module).thenComparing(SymbolChange::namespace)
                .thenComparing(SymbolChange::symbol));
        return out;
    }

    /** Module files (any kmod extension) under a directory, sorted. */
    public static List<Path> modulesIn(Path dir) throws KmodException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> Files.isRegularFile(p) && Compression.extensionLength(p.getFileName().toString()) > 0)
                    .sorted().toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw KmodException.in(dir, "cannot list modules: " + e.getMessage());
        }
    }

    /** Imports of each module, by module name. */
    public static Map<String, List<ImportedSymbol>> imports(List<Path> modules) throws KmodException {
        Map<String, List<ImportedSymbol>> out = new LinkedHashMap<>();
        for (Path p : modules) {
            out.put(ModuleNames.fromPath(p.toString()), Imports.read(ModuleFile.open(p).elf()));
        }
        return out;
    }

    /** Union of the imported symbol names. */
    public static Set<String> importedSymbols(Map<String, List<ImportedSymbol>> imports) {
        Set<String> out = new LinkedHashSet<>();
        imports.values().forEach(l -> l.forEach(i -> out.add(i.symbol())));
        return out;
    }

    /**
     * Weak-updates verdict per module: the symbols that block reuse on NEW (missing there, or
     * with another CRC than the module was built against); empty list = reusable.
     */
    public static Map<String, List<String>> weakUpdates(Map<String, List<ImportedSymbol>> imports, Symvers oldK, Symvers newK) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<ImportedSymbol>> m : imports.entrySet()) {
            List<String> blockers = new ArrayList<>();
            for (ImportedSymbol i : m.getValue()) {
                if (i.symbol().equals("__this_module") || oldK.get(i.symbol()) == null && newK.get(i.symbol()) == null) {
                    continue; // exported by neither kernel: provided by another out-of-tree module
                }
                SymversEntry n = newK.get(i.symbol());
                if (n == null) {
                    blockers.add(i.symbol() + " (removed)");
                } else if (i.crc() != 0 && (n.crc() & 0xffffffffL) != (i.crc() & 0xffffffffL)) {
                    blockers.add(String.format("%s (0x%08x -> 0x%08x)", i.symbol(), i.crc(), n.crc()));
                }
            }
            out.put(m.getKey(), blockers);
        }
        return out;
    }
}

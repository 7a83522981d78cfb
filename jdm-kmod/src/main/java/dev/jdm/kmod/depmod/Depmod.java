package dev.jdm.kmod.depmod;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.io.Compression;
import dev.jdm.kmod.modinfo.ModuleNames;
import dev.jdm.kmod.symbols.ExportedSymbol;
import dev.jdm.kmod.symbols.ImportedSymbol;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;

/**
 * Computes what kmod's depmod computes for one module directory, in the same order:
 * <ol>
 *   <li>walk the tree (skipping build/ and source/), resolving duplicate module names with
 *       depmod.d search/override priorities;</li>
 *   <li>order modules as libkmod's name hash iterates them, then stably by modules.order;</li>
 *   <li>add every module's exports to the symbol table (a later owner replaces an earlier);</li>
 *   <li>link each module's imports to their owners and topologically sort (users first).</li>
 * </ol>
 * Reading the module files, the expensive part, runs on every core while the tree is walked
 * ({@link ModuleLoader}); the rest is sequential and deterministic.
 */
public final class Depmod {
    static final int MODULE_BUCKETS = 512;
    static final int SYMBOL_BUCKETS = 2048;

    /** One entry of depmod's symbol table; owner null for symbols of vmlinux (-E/-F). */
    public record Symbol(String name, long crc, DepmodModule owner) {
    }

    private final Path moduleDir;
    private final String dirname;
    private final DepmodConfig config;
    private final List<DepmodModule> modules = new ArrayList<>();
    private final Map<String, Symbol> symbols = new HashMap<>();
    private final List<String> warnings = new ArrayList<>();
    private volatile List<Symbol> symbolsInHashOrder;
    /** The indexes {@link DepmodOutput#startIndependent} renders while dependencies are computed. */
    FutureTask<Map<String, byte[]>> early;

    private Depmod(Path moduleDir, DepmodConfig config) {
        this.moduleDir = moduleDir;
        this.dirname = moduleDir.toString();
        this.config = config;
    }

    /**
     * Runs depmod over {@code moduleDir}. {@code kernelSymbols} are vmlinux's exports (from
     * -E Module.symvers or -F System.map), or empty.
     */
    public static Depmod run(Path moduleDir, DepmodConfig config, Map<String, Long> kernelSymbols) throws KmodException {
        if (!Files.isDirectory(moduleDir)) {
            throw KmodException.in(moduleDir, "module directory does not exist");
        }
        Depmod d = new Depmod(moduleDir, config);
        kernelSymbols.forEach((name, crc) -> d.symbols.put(name, new Symbol(name, crc, null)));
        if (!kernelSymbols.isEmpty()) {
            // depmod_add_fake_syms: resolved by the kernel loader itself.
            d.symbols.put("__this_module", new Symbol("__this_module", 0, null));
            d.symbols.put("_GLOBAL_OFFSET_TABLE_", new Symbol("_GLOBAL_OFFSET_TABLE_", 0, null));
        }
        Map<String, DepmodModule> byName = new LinkedHashMap<>();
        ModuleLoader loader = new ModuleLoader(Runtime.getRuntime().availableProcessors());
        try {
            d.scan(moduleDir, byName, loader);
        } finally {
            loader.finish(moduleDir); // also when the walk failed: no reader is left waiting
        }
        d.modules.addAll(KmodHash.iterationOrder(byName.values(), m -> m.name, MODULE_BUCKETS));
        for (DepmodModule m : d.modules) {
            d.warnings.addAll(m.problems);
        }
        d.sortByModulesOrder();
        d.addSymbols();
        // The indexes that do not depend on dependencies render on another core meanwhile.
        d.early = DepmodOutput.startIndependent(d);
        d.linkDependencies();
        d.sortTopologically();
        return d;
    }

    private void scan(Path dir, Map<String, DepmodModule> byName, ModuleLoader loader) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String fileName = p.getFileName().toString();
                if (fileName.equals("build") || fileName.equals("source")) {
                    continue;
                }
                BasicFileAttributes attrs = attributes(p); // one stat where isDirectory and isRegularFile took two
                if (attrs == null) {
                    continue;
                }
                if (attrs.isDirectory()) {
                    scan(p, byName, loader);
                } else if (attrs.isRegularFile() && Compression.extensionLength(fileName) > 0) {
                    consider(p.toString(), byName, loader);
                }
            }
        } catch (IOException e) {
            warnings.add("could not read directory " + dir + ": " + e.getMessage());
        }
    }

    /** The attributes of {@code p}, links followed; null if it cannot be read (a dangling link), as Files.isDirectory takes it. */
    private static BasicFileAttributes attributes(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }

    private void consider(String path, Map<String, DepmodModule> byName, ModuleLoader loader) {
        String name = ModuleNames.fromPath(path);
        String rel = path.substring(dirname.length() + 1);
        DepmodModule existing = byName.get(name);
        if (existing != null) {
            if (config.existingWins(existing.relpath, existing.name, rel, name)) {
                return;
            }
            byName.remove(name);
        }
        DepmodModule m = new DepmodModule(name, path, rel);
        byName.put(name, m);
        loader.add(m);
    }

    /** depmod_modules_sort: modules.order lines get negative indexes, the rest keep 1; stable sort. */
    private void sortByModulesOrder() throws KmodException {
        Path order = moduleDir.resolve("modules.order");
        String text;
        try {
            text = Files.readString(order, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            warnings.add("could not open " + order + ": No such file or directory");
            renumber();
            return;
        } catch (IOException e) {
            throw KmodException.in(order, "cannot read: " + e.getMessage(), e);
        }
        if (!text.isEmpty() && !text.endsWith("\n")) {
            warnings.add(order + ": corrupted line misses '\\n'");
            renumber();
            return;
        }
        String[] lines = text.isEmpty() ? new String[0] : text.split("\n", -1);
        int count = text.isEmpty() ? 0 : lines.length - 1;
        int total = count + 1;
        Map<String, DepmodModule> byUncompressed = new HashMap<>();
        for (DepmodModule m : modules) {
            byUncompressed.put(m.uncompressedRelpath, m);
        }
        for (int i = 0; i < count; i++) {
            DepmodModule m = byUncompressed.get(lines[i]);
            if (m != null) {
                m.sortIdx = (i + 1) - total;
            }
        }
        modules.sort((a, b) -> Integer.compare(a.sortIdx, b.sortIdx)); // List.sort is stable, like glibc's msort
        renumber();
    }

    private void renumber() {
        for (int i = 0; i < modules.size(); i++) {
            modules.get(i).idx = i;
        }
    }

    private void addSymbols() {
        for (DepmodModule m : modules) {
            for (ExportedSymbol e : m.exports) {
                symbols.put(e.symbol(), new Symbol(e.symbol(), e.crc(), m));
            }
        }
    }

    private void linkDependencies() {
        for (DepmodModule m : modules) {
            for (ImportedSymbol imp : m.imports) {
                String name = imp.symbol().startsWith(".") ? imp.symbol().substring(1) : imp.symbol(); // PPC64
                Symbol sym = symbols.get(name);
                if (sym == null || sym.owner() == null) {
                    continue;
                }
                if (!m.deps.contains(sym.owner())) {
                    m.deps.add(sym.owner());
                    sym.owner().users++;
                }
            }
        }
    }

    /** depmod_calculate_dependencies: Kahn's algorithm with a LIFO of roots, modules without users first. */
    private void sortTopologically() throws KmodException {
        int n = modules.size();
        int[] users = new int[n];
        int[] roots = new int[n];
        int nRoots = 0;
        for (int i = 0; i < n; i++) {
            users[i] = modules.get(i).users;
            if (users[i] == 0) {
                roots[nRoots++] = i;
            }
        }
        int sorted = 0;
        while (nRoots > 0) {
            DepmodModule src = modules.get(roots[--nRoots]);
            src.depSortIdx = sorted++;
            for (DepmodModule dst : src.deps) {
                if (--users[dst.idx] == 0) {
                    roots[nRoots++] = dst.idx;
                }
            }
        }
        if (sorted < n) {
            List<String> cyclic = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (users[i] > 0) {
                    cyclic.add(modules.get(i).name);
                }
            }
            throw KmodException.in(moduleDir, "found " + cyclic.size() + " modules in dependency cycles: "
                    + String.join(", ", cyclic));
        }
        for (DepmodModule m : modules) {
            m.deps.sort((a, b) -> Integer.compare(a.depSortIdx, b.depSortIdx));
        }
        // modules.dep and modules.dep.bin both list them: computed once, here.
        for (DepmodModule m : modules) {
            m.allDeps = List.copyOf(collectDependencies(m));
        }
    }

    /** All transitive dependencies, unique, sorted by topological index (mod_get_all_sorted_dependencies). */
    public static List<DepmodModule> allDependencies(DepmodModule m) {
        return m.allDeps != null ? m.allDeps : collectDependencies(m);
    }

    private static List<DepmodModule> collectDependencies(DepmodModule m) {
        List<DepmodModule> out = new ArrayList<>();
        java.util.Set<DepmodModule> seen = new java.util.HashSet<>();
        fill(m, out, seen);
        out.sort((a, b) -> Integer.compare(a.depSortIdx, b.depSortIdx));
        return out;
    }

    private static void fill(DepmodModule m, List<DepmodModule> out, java.util.Set<DepmodModule> seen) {
        for (DepmodModule d : m.deps) {
            if (seen.add(d)) {
                out.add(d);
                fill(d, out, seen);
            }
        }
    }

    public Path moduleDir() {
        return moduleDir;
    }

    /** Modules in depmod's output order. */
    public List<DepmodModule> modules() {
        return modules;
    }

    /** The symbol table in libkmod hash iteration order. */
    public List<Symbol> symbolsInHashOrder() {
        List<Symbol> sorted = symbolsInHashOrder; // modules.symbols and its .bin both walk it
        if (sorted == null) {
            sorted = List.copyOf(KmodHash.iterationOrder(symbols.values(), Symbol::name, SYMBOL_BUCKETS));
            symbolsInHashOrder = sorted;
        }
        return sorted;
    }

    public Map<String, Symbol> symbols() {
        return symbols;
    }

    /** Problems kmod would log as warnings/errors while still writing the indexes. */
    public List<String> warnings() {
        return warnings;
    }
}

package dev.jdm.kmod.compat;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.elf.ElfFile;
import dev.jdm.kmod.io.ModuleFile;
import dev.jdm.kmod.modinfo.ModInfo;
import dev.jdm.kmod.symbols.ImportedSymbol;
import dev.jdm.kmod.symbols.Imports;
import dev.jdm.kmod.symbols.ModVersions;
import dev.jdm.kmod.symbols.SymbolVersion;
import dev.jdm.kmod.symbols.SymversEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a module would load on a kernel, applying the checks the kernel's module
 * loader makes (kernel/module/main.c and version.c):
 * <ul>
 *   <li>every non-weak undefined symbol must be exported ({@code resolve_symbol});</li>
 *   <li>with modversions, each symbol's CRC must match the exporter's, and a symbol without a
 *       version entry is refused ({@code check_version}); a module without any modversions
 *       is refused by a modversioned kernel unless force-loaded;</li>
 *   <li>GPL-only exports need a GPL-compatible licence ({@code license_is_gpl_compatible});</li>
 *   <li>namespaced exports need a matching {@code import_ns} ({@code verify_namespace_is_imported});</li>
 *   <li>vermagic must match, ignoring the release when CRCs are present ({@code same_magic}).</li>
 * </ul>
 */
public final class LoadChecker {
    private static final Set<String> GPL_COMPATIBLE = Set.of("GPL", "GPL v2", "GPL and additional rights",
            "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL");
    /** Resolved by the loader itself, never exported. */
    private static final Set<String> LOADER_SYMBOLS = Set.of("__this_module", "_GLOBAL_OFFSET_TABLE_");

    private final KernelAbi kernel;

    public LoadChecker(KernelAbi kernel) {
        this.kernel = kernel;
    }

    /** Checks modules together: each may use the others' exports. */
    public List<LoadVerdict> check(List<Path> modules) throws KmodException {
        record Loaded(Path path, ElfFile elf, ModInfo info) {
        }
        List<Loaded> loaded = new ArrayList<>();
        for (Path p : modules) {
            ModuleFile f = ModuleFile.open(p);
            ElfFile elf = f.elf();
            loaded.add(new Loaded(p, elf, ModInfo.of(f, elf)));
            for (var e : dev.jdm.kmod.symbols.Exports.read(elf)) {
                if (kernel.symvers().get(e.symbol()) == null) {
                    kernel.symvers().add(new SymversEntry(e.symbol(), e.crc(), p.toString(), e.gplOnly(), e.namespace()));
                }
            }
        }
        List<LoadVerdict> out = new ArrayList<>();
        for (Loaded l : loaded) {
            out.add(check(l.path().toString(), l.elf(), l.info()));
        }
        return out;
    }

    LoadVerdict check(String path, ElfFile elf, ModInfo info) throws KmodException {
        List<Problem> problems = new ArrayList<>();
        boolean hasVersions = ModVersions.present(elf);
        Map<String, Long> versions = new HashMap<>();
        for (SymbolVersion v : ModVersions.read(elf)) {
            versions.putIfAbsent(v.symbol(), v.crc());
        }
        String license = info.value("license").orElse("");
        boolean gplCompatible = GPL_COMPATIBLE.contains(license);
        Set<String> importNs = new HashSet<>(info.values("import_ns"));
        boolean kernelHasCrcs = kernel.symvers().entries().stream().anyMatch(e -> e.crc() != 0);
        if (!hasVersions && kernelHasCrcs) {
            problems.add(new Problem(Problem.Kind.NO_MODVERSIONS, "", -1, -1, "",
                    "module has no __versions but the kernel uses modversions; it loads only with --force (rebuild with CONFIG_MODVERSIONS)"));
        }
        int checked = 0;
        Set<String> seen = new HashSet<>();
        for (ImportedSymbol imp : Imports.read(elf)) {
            String sym = imp.symbol();
            if (LOADER_SYMBOLS.contains(sym) || !seen.add(sym)) {
                continue;
            }
            checked++;
            SymversEntry exp = kernel.symvers().get(sym);
            if (exp == null) {
                if (!imp.weak()) {
                    problems.add(new Problem(Problem.Kind.UNKNOWN_SYMBOL, sym, imp.crc(), -1, "",
                            "unknown symbol " + sym + ": the kernel and its modules do not export it"));
                }
                continue;
            }
            if (hasVersions && exp.crc() != 0) {
                Long crc = versions.get(sym);
                if (crc == null) {
                    problems.add(new Problem(Problem.Kind.NO_SYMBOL_VERSION, sym, -1, exp.crc(), exp.module(),
                            "no symbol version for " + sym + " (exported by " + exp.module() + ")"));
                } else if ((crc & 0xffffffffL) != (exp.crc() & 0xffffffffL)) {
                    problems.add(new Problem(Problem.Kind.CRC_MISMATCH, sym, crc, exp.crc(), exp.module(),
                            String.format("disagrees about version of symbol %s: module has 0x%08x, %s exports 0x%08x",
                                    sym, crc, exp.module(), exp.crc())));
                }
            }
            if (exp.gplOnly() && !gplCompatible) {
                problems.add(new Problem(Problem.Kind.GPL_ONLY, sym, -1, -1, exp.module(),
                        "GPL-only symbol " + sym + " (from " + exp.module() + ") used by a module with licence \"" + license + "\""));
            }
            if (!exp.namespace().isEmpty() && !importNs.contains(exp.namespace())) {
                problems.add(new Problem(Problem.Kind.MISSING_NAMESPACE, sym, -1, -1, exp.module(),
                        "uses symbol " + sym + " from namespace " + exp.namespace() + " but does not import it (MODULE_IMPORT_NS)"));
            }
        }
        vermagicProblem(info.value("vermagic"), hasVersions).ifPresent(problems::add);
        return new LoadVerdict(path, info.name(), checked, List.copyOf(problems));
    }

    /** same_magic(): with CRCs only the part after the release token has to match. */
    private Optional<Problem> vermagicProblem(Optional<String> moduleMagic, boolean hasCrcs) {
        if (kernel.vermagic().isEmpty() || moduleMagic.isEmpty()) {
            return Optional.empty();
        }
        String k = kernel.vermagic().get();
        String m = moduleMagic.get();
        boolean same = hasCrcs ? afterRelease(k).equals(afterRelease(m)) : k.equals(m);
        return same ? Optional.empty() : Optional.of(new Problem(Problem.Kind.VERMAGIC, "", -1, -1, "",
                "version magic '" + m + "' should be '" + k + "'"));
    }

    private static String afterRelease(String magic) {
        int sp = magic.indexOf(' ');
        return sp < 0 ? "" : magic.substring(sp + 1);
    }
}

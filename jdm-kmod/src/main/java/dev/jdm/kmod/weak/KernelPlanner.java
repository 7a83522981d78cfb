package dev.jdm.kmod.weak;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.compat.KernelAbi;
import dev.jdm.kmod.compat.LoadChecker;
import dev.jdm.kmod.compat.LoadVerdict;
import dev.jdm.kmod.compat.Problem;
import dev.jdm.kmod.io.Compression;
import dev.jdm.kmod.io.ModuleFile;
import dev.jdm.kmod.modinfo.ModuleNames;
import dev.jdm.kmod.symbols.ExportedSymbol;
import dev.jdm.kmod.symbols.Exports;
import dev.jdm.kmod.symbols.Symvers;
import dev.jdm.kmod.symbols.SymversEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides, for one target kernel, which modules its weak-updates should link: the links it has
 * (minus those asked to go) and the new candidates are judged together, the way RHEL's
 * weak-modules validates a whole proposal with {@code depmod -naeE} and drops what depmod
 * complains about until nothing changes.
 */
final class KernelPlanner {
    /** One module wanted in weak-updates: a candidate, or a link that is there. */
    private record Entry(VendorModule module, Path link, WeakLink existing) {
    }

    private final ModuleRoot root;
    private final InstalledKernel kernel;
    private final List<Entry> entries = new ArrayList<>();
    private final List<Decision> decisions = new ArrayList<>();
    private final List<LinkOp> removals = new ArrayList<>();
    private final List<LinkOp> creations = new ArrayList<>();

    KernelPlanner(ModuleRoot root, InstalledKernel kernel) {
        this.root = root;
        this.kernel = kernel;
    }

    /** A module to add. One built for this kernel itself is skipped, as weak-modules does. */
    void candidate(VendorModule m) {
        Path link = kernel.weakUpdatesDir().resolve(m.weakSubpath());
        if (m.kernel().equals(kernel.release())) {
            decisions.add(decision(m, link, Decision.Outcome.SKIPPED, Decision.Reason.OWN_KERNEL,
                    "built for this kernel; it is in its own tree", List.of()));
            return;
        }
        entries.add(new Entry(m, link, null));
    }

    /** A link that is there and stays unless it no longer fits. */
    void existing(WeakLink l) throws KmodException {
        for (Entry e : entries) {
            if (e.link().equals(l.link()) && e.module().file().equals(l.target())) {
                entries.set(entries.indexOf(e), new Entry(e.module(), e.link(), l)); // re-added: the same link
                return;
            }
        }
        entries.add(new Entry(VendorModule.open(root, l.target()), l.link(), l));
    }

    /** A link that goes because its removal was asked for. */
    void remove(WeakLink l) {
        String name = ModuleNames.fromPath(l.target().toString());
        Path rel = l.target().startsWith(root.modulesDir()) ? root.modulesDir().relativize(l.target()) : null;
        String from = rel != null && rel.getNameCount() > 1 ? rel.getName(0).toString() : "?";
        decisions.add(new Decision(kernel.release(), l.target(), name, from, l.link(), Decision.Outcome.UNLINKED,
                Decision.Reason.REMOVED, "removed as asked", List.of()));
        removals.add(new LinkOp(false, l.link(), l.target()));
    }

    /** Keeps every wanted link as it is: the kernel has no symvers to check against. */
    KernelPlan unchecked() {
        for (Entry e : entries) {
            if (e.existing() != null) {
                decisions.add(decision(e.module(), e.link(), Decision.Outcome.KEPT, Decision.Reason.NOT_CHECKED,
                        "kept without a check: the kernel has no symvers", List.of()));
            }
        }
        return new KernelPlan(kernel, null, List.copyOf(decisions), ops());
    }

    /** Judges every wanted module against {@code symvers} and the kernel's own updates. */
    KernelPlan plan(Path symversFile) throws KmodException {
        List<Path> ownModules = kernel.ownModules();
        Map<String, Path> shadows = new HashMap<>();
        for (Path own : ownModules) {
            shadows.putIfAbsent(ModuleNames.fromPath(own.toString()), own);
        }
        Symvers symvers = installedExports(Symvers.read(symversFile), ownModules);
        for (Path own : kernel.ownUpdateModules()) {
            addExports(symvers, own);
        }
        Set<String> kernelSymbols = new HashSet<>();
        symvers.entries().forEach(e -> kernelSymbols.add(e.symbol()));

        List<Entry> eligible = new ArrayList<>();
        // entries that are not linked; the value says which module they need, null when the loader refuses them
        Map<Entry, String> refused = new LinkedHashMap<>();
        for (Entry e : entries) {
            Path own = shadows.get(e.module().name());
            if (own != null) {
                // RHEL's depmod.d ranks updates/, extra/ and the kernel's own tree before weak-updates/:
                // the kernel's own build of the module is the one that loads, so a link would only
                // be dead weight (and, with Debian's default depmod.d, a coin toss by directory order).
                settle(e, Decision.Reason.SHADOWED, kernel.release() + " ships its own " + e.module().name() + " in "
                        + kernel.moduleDir().relativize(own) + ", which takes precedence over weak-updates", List.of());
            } else {
                eligible.add(e);
            }
        }
        KernelAbi abi = KernelAbi.of(symvers, kernel.vermagic());
        List<LoadVerdict> verdicts = new LoadChecker(abi).check(eligible.stream().map(e -> e.module().file()).toList());
        Map<Entry, LoadVerdict> verdictOf = new HashMap<>();
        for (int i = 0; i < eligible.size(); i++) {
            verdictOf.put(eligible.get(i), verdicts.get(i));
            if (!verdicts.get(i).willLoad()) {
                refused.put(eligible.get(i), null);
            }
        }
        Map<Entry, Map<String, Entry>> needs = Providers.among(eligible, e -> e.module().file(), kernelSymbols);
        // A module whose provider is not linked would fail with "unknown symbol": drop it too,
        // until nothing changes (weak-modules' validate_weak_links loop).
        for (boolean changed = true; changed; ) {
            changed = false;
            for (Entry e : eligible) {
                if (refused.containsKey(e)) {
                    continue;
                }
                for (Map.Entry<String, Entry> n : needs.get(e).entrySet()) {
                    if (refused.containsKey(n.getValue())) {
                        refused.put(e, "needs " + n.getValue().module().name() + " (for " + n.getKey() + "), which is not linked for "
                                + kernel.release());
                        changed = true;
                        break;
                    }
                }
            }
        }
        Set<String> takenNames = new HashSet<>();
        Set<Path> takenLinks = new HashSet<>();
        for (Entry e : eligible) {
            LoadVerdict v = verdictOf.get(e);
            if (!v.willLoad()) {
                settle(e, Decision.Reason.DOES_NOT_LOAD, v.problems().getFirst().detail(), v.problems());
            } else if (refused.get(e) != null) {
                settle(e, Decision.Reason.NEEDS, refused.get(e), List.of());
            } else if (!takenNames.add(e.module().name()) | !takenLinks.add(e.link())) {
                settle(e, Decision.Reason.DUPLICATE, "another " + e.module().name() + " or another module at "
                        + kernel.weakUpdatesDir().relativize(e.link()) + " is linked instead", List.of());
            } else {
                settle(e, Decision.Reason.FITS, "fits: every imported symbol is exported with the same CRC ("
                        + v.checked() + " checked)", List.of());
            }
        }
        return new KernelPlan(kernel, symversFile.toString(), List.copyOf(decisions), ops());
    }

    /**
     * The symvers entries the kernel can honour: vmlinux's, and those of modules it has. A
     * symvers lists every module the kernel was built with; one that is not installed exports
     * nothing, so a module needing it would fail with "unknown symbol".
     */
    private Symvers installedExports(Symvers all, List<Path> own) {
        Set<String> installed = new HashSet<>();
        for (Path p : own) {
            String rel = kernel.moduleDir().relativize(p).toString();
            installed.add(rel.substring(0, rel.length() - Compression.extensionLength(rel)));
        }
        Symvers out = new Symvers(all.source());
        for (SymversEntry e : all.entries()) {
            if (e.isVmlinux() || installed.contains("kernel/" + e.module()) || installed.contains(e.module())) {
                out.add(e);
            }
        }
        return out;
    }

    private static void addExports(Symvers symvers, Path module) throws KmodException {
        for (ExportedSymbol x : Exports.read(ModuleFile.open(module).elf())) {
            if (symvers.get(x.symbol()) == null) {
                symvers.add(new SymversEntry(x.symbol(), x.crc(), module.toString(), x.gplOnly(), x.namespace()));
            }
        }
    }

    /** Records the verdict on an entry and the link change it implies. */
    private void settle(Entry e, Decision.Reason reason, String detail, List<Problem> problems) {
        boolean fits = reason == Decision.Reason.FITS;
        Decision.Outcome outcome;
        if (e.existing() != null) {
            outcome = fits ? Decision.Outcome.KEPT : Decision.Outcome.UNLINKED;
            if (!fits) {
                removals.add(new LinkOp(false, e.link(), e.module().file()));
            }
        } else {
            outcome = fits ? Decision.Outcome.LINKED : Decision.Outcome.NOT_LINKED;
            if (fits) {
                creations.add(new LinkOp(true, e.link(), linkText(e)));
            }
        }
        decisions.add(decision(e.module(), e.link(), outcome, reason, detail, problems));
    }

    /**
     * Relative link text when the module is inside the root, so the link resolves both under
     * {@code -b ROOT} (depmod -b, modprobe -d) and in the booted system; RHEL writes absolute
     * links, which only resolve in the latter.
     */
    private Path linkText(Entry e) {
        Path file = e.module().file();
        return file.startsWith(root.dir()) ? e.link().getParent().relativize(file) : file;
    }

    private Decision decision(VendorModule m, Path link, Decision.Outcome outcome, Decision.Reason reason, String detail,
            List<Problem> problems) {
        return new Decision(kernel.release(), m.file(), m.name(), m.kernel(), link, outcome, reason, detail, problems);
    }

    /** Removals first: a replaced link at the same path goes before its successor is made. */
    private List<LinkOp> ops() {
        List<LinkOp> out = new ArrayList<>(removals);
        Set<Path> removed = new HashSet<>();
        removals.forEach(r -> removed.add(r.link()));
        for (LinkOp c : creations) {
            // a new module at the path of an existing link replaces it
            entries.stream().filter(e -> e.existing() != null && e.link().equals(c.link()) && !removed.contains(c.link()))
                    .findFirst().ifPresent(e -> out.add(new LinkOp(false, e.link(), e.module().file())));
            out.add(c);
        }
        return out;
    }
}

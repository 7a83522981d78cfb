package dev.jdm.symvers.stability;

import dev.jdm.symvers.Definition;
import dev.jdm.symvers.LinkTargets;
import dev.jdm.symvers.Symbol;
import dev.jdm.symvers.SymbolTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code jdm abi diff OLD NEW}: the symbols added, changed and removed between two symbol tables,
 * each change with its reason from the expanded definitions, and the modules it breaks.
 */
public final class AbiDiff {
    /**
     * One side of a diff: a released baseline, an ABI build, or what a module was built against.
     *
     * @param label how to name it in output
     * @param definitions each symbol's expanded definition
     * @param format the expansion rules the definitions were written by
     */
    public record Table(String label, Map<Symbol, Definition> definitions, int format) {
        /** A released baseline's table. */
        public static Table of(Baseline baseline) {
            Map<Symbol, Definition> defs = new TreeMap<>();
            baseline.rows().forEach(r -> defs.put(r.symbol(), r.definition()));
            return new Table(baseline.generation().toString(), defs, baseline.fingerprintFormat());
        }

        /** The ABI symbols a module imports, as it was built against them. */
        public static Table ofModule(String module, SymbolTable versions) {
            Map<Symbol, Definition> defs = new TreeMap<>();
            versions.entries().stream().filter(e -> e.provider().equals(LinkTargets.ABI))
                    .forEach(e -> defs.put(e.symbol(), e.definition()));
            return new Table(module, defs, versions.fingerprintFormat());
        }
    }

    /** A module whose imports a diff is checked against. */
    public record ModuleImports(String name, SymbolTable versions) {}

    /** What happened to a symbol. */
    public enum Change { ADDED, CHANGED, REMOVED }

    /**
     * One difference.
     *
     * @param reason what changed in the definition, or the revocation; empty for additions
     * @param breaking whether it could break a module built against the old side
     * @param breaks the given modules that import the symbol as the old side defines it
     */
    public record Entry(Change change, Symbol symbol, String reason, boolean breaking, List<String> breaks) {}

    private AbiDiff() {}

    /** The differences from {@code old} to {@code now}, sorted by symbol. */
    public static List<Entry> diff(Table old, Table now, Revocations revocations, List<ModuleImports> modules) {
        int format = Math.min(old.format(), now.format()); // compare like with like
        var symbols = new TreeSet<Symbol>(old.definitions().keySet());
        symbols.addAll(now.definitions().keySet());
        List<Entry> out = new ArrayList<>();
        for (Symbol s : symbols) {
            Definition before = old.definitions().containsKey(s) ? old.definitions().get(s).inFormat(format) : null;
            Definition after = now.definitions().containsKey(s) ? now.definitions().get(s).inFormat(format) : null;
            if (before == null) {
                out.add(new Entry(Change.ADDED, s, "", false, List.of()));
            } else if (after == null) {
                String reason = revocations.get(s).map(r -> "revoked in " + r.generation() + " by " + r.advisory() + ": " + r.text())
                        .orElse("removed");
                out.add(new Entry(Change.REMOVED, s, reason, true, importers(s, before, modules)));
            } else if (before.fingerprint() != after.fingerprint()) {
                Optional<String> breaks = Compatibility.breaks(before, after, Compatibility.ANY, format);
                out.add(new Entry(Change.CHANGED, s, breaks.orElse(before.explainAgainst(after)), breaks.isPresent(),
                        breaks.isPresent() ? importers(s, before, modules) : List.of()));
            }
        }
        return out;
    }

    /** A definition's format as far as its lines tell: format 2's hierarchy and ordinal lines, or 1. */
    private static int formatOf(Definition d) {
        return d.lines().equals(d.inFormat(1).lines()) ? 1 : 2;
    }

    private static List<String> importers(Symbol s, Definition before, List<ModuleImports> modules) {
        List<String> out = new ArrayList<>();
        for (ModuleImports m : modules) {
            int f = Math.min(m.versions().fingerprintFormat(), formatOf(before));
            m.versions().get(s).filter(e -> e.definition().inFormat(f).fingerprint() == before.inFormat(f).fingerprint())
                    .ifPresent(e -> out.add(m.name()));
        }
        return out;
    }
}

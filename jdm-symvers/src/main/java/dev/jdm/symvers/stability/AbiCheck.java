package dev.jdm.symvers.stability;

import dev.jdm.symvers.Definition;
import dev.jdm.symvers.Fingerprinter;
import dev.jdm.symvers.Symbol;
import dev.jdm.symvers.UnknownSymbolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code jdm abi check}: does the ABI being built still serve every module built against every
 * released generation? A released symbol whose definition changed in a way that could break such
 * a module fails, and so does one that is gone without a revocation; additions pass and are
 * listed as the next generation's.
 */
public final class AbiCheck {
    /** Kinds of finding. */
    public enum Kind {
        /** A released symbol changed in a way that could break modules built against it. */
        BROKEN(true),
        /** A released symbol is gone, and no revocation names it. */
        REMOVED(true),
        /** A revocation names a symbol the ABI still has, or that no generation released. */
        BAD_REVOCATION(true),
        /** Symbols were added to a generation that is released already. */
        FROZEN(true),
        /** A released symbol is gone through a revocation. */
        REVOKED(false),
        /** A symbol no generation released yet: part of the next one. */
        ADDED(false);

        private final boolean fails;

        Kind(boolean fails) {
            this.fails = fails;
        }

        /** Whether a finding of this kind fails the check. */
        public boolean fails() {
            return fails;
        }
    }

    /**
     * One finding.
     *
     * @param generation the released generation concerned, or the one being developed for additions
     */
    public record Finding(Kind kind, Symbol symbol, Generation generation, String reason) {
        /** One line for users. */
        public String line() {
            return kind.name().toLowerCase(java.util.Locale.ROOT) + "\t" + symbol + "\t" + generation + (reason.isEmpty() ? "" : "\t" + reason);
        }
    }

    /** What the check found. */
    public record Report(Generation current, List<Finding> findings) {
        /** Whether no finding fails. */
        public boolean passes() {
            return findings.stream().noneMatch(f -> f.kind().fails());
        }

        /** The findings of one kind. */
        public List<Finding> of(Kind kind) {
            return findings.stream().filter(f -> f.kind() == kind).toList();
        }
    }

    private AbiCheck() {}

    /** Checks the ABI build against every baseline it carries. */
    public static Report run(ReleasedAbi released) {
        Fingerprinter fp = new Fingerprinter(released.abi().world());
        Set<Symbol> now = new TreeSet<>(released.abi().symbols());
        Set<Symbol> everReleased = new TreeSet<>();
        List<Finding> findings = new ArrayList<>();
        for (Baseline b : released.baselines()) {
            // facts the baseline's format did not record are read from the JAR the generation was released as
            Optional<Fingerprinter> frozen = b.fingerprintFormat() < Fingerprinter.FORMAT
                    ? released.frozen(b.generation()).map(m -> new Fingerprinter(m.world())) : Optional.empty();
            for (Baseline.Row row : b.rows()) {
                everReleased.add(row.symbol());
                if (!now.contains(row.symbol())) {
                    Optional<Symbol> inherited = inherited(released.abi().world(), row.symbol());
                    if (inherited.isEmpty()) {
                        findings.add(removal(released, b.generation(), row.symbol()));
                        continue;
                    }
                    // pulled up into a supertype: still found through the class modules name
                    Definition moved = fp.define(inherited.get());
                    Optional<String> breaks = Compatibility.breaksMoved(row.definition(), moved, Compatibility.ANY, b.fingerprintFormat());
                    if (breaks.isEmpty() && frozen.isPresent()) {
                        breaks = Compatibility.breaksMoved(frozen.get().define(row.symbol()), moved, Compatibility.ANY, Fingerprinter.FORMAT);
                    }
                    breaks.ifPresent(reason -> findings.add(new Finding(Kind.BROKEN, row.symbol(), b.generation(),
                            "now inherited from " + inherited.get().owner() + ": " + reason)));
                    continue;
                }
                Definition current = define(fp, row.symbol()).orElseThrow();
                Optional<String> breaks = current.inFormat(b.fingerprintFormat()).fingerprint() == row.fingerprint() ? Optional.empty()
                        : Compatibility.breaks(row.definition(), current, Compatibility.ANY, b.fingerprintFormat());
                if (breaks.isEmpty() && frozen.isPresent()) {
                    breaks = Compatibility.breaks(frozen.get().define(row.symbol()), current, Compatibility.ANY, Fingerprinter.FORMAT);
                }
                breaks.ifPresent(reason -> findings.add(new Finding(Kind.BROKEN, row.symbol(), b.generation(), reason)));
            }
        }
        for (Revocations.Revocation r : released.revocations().all()) {
            if (now.contains(r.symbol())) {
                findings.add(new Finding(Kind.BAD_REVOCATION, r.symbol(), r.generation(),
                        "revoked by " + r.advisory() + " but still in the ABI; remove it from jdm-abi"));
            } else if (!everReleased.contains(r.symbol())) {
                findings.add(new Finding(Kind.BAD_REVOCATION, r.symbol(), r.generation(),
                        "no released generation has it; a revocation names a released symbol"));
            }
        }
        List<Symbol> added = now.stream().filter(s -> !everReleased.contains(s)).toList();
        for (Symbol s : added) {
            findings.add(new Finding(Kind.ADDED, s, released.current(), ""));
        }
        if (!added.isEmpty() && released.currentIsReleased()) {
            findings.add(new Finding(Kind.FROZEN, added.getFirst(), released.current(), added.size() + " symbol(s) added to "
                    + released.current() + ", which is released; raise jdm-abi's generation (src/main/resources/META-INF/jdm/generation) to JDM_"
                    + released.current().major() + "." + (released.current().minor() + 1)));
        }
        return new Report(released.current(), List.copyOf(findings));
    }

    /**
     * A member no longer declared where it was, found in a supertype as the JVM resolves it (JVMS
     * 5.4.3.2, 5.4.3.3): superclasses, then superinterfaces; a static interface method is not inherited.
     */
    static Optional<Symbol> inherited(dev.jdm.symvers.TypeWorld world, Symbol s) {
        if (s.kind() == Symbol.Kind.TYPE || s.kind() == Symbol.Kind.CONSTRUCTOR) {
            return Optional.empty();
        }
        Optional<dev.jdm.symvers.TypeInfo> owner = world.find(s.owner());
        if (owner.isEmpty()) {
            return Optional.empty();
        }
        java.util.ArrayDeque<String> queue = new java.util.ArrayDeque<>();
        Set<String> seen = new java.util.HashSet<>();
        supers(owner.get(), queue);
        while (!queue.isEmpty()) {
            String name = queue.poll();
            var t = world.find(name);
            if (!seen.add(name) || t.isEmpty()) {
                continue;
            }
            var info = t.get();
            boolean declared = s.kind() == Symbol.Kind.FIELD
                    ? info.field(s.member(), s.descriptor()).filter(dev.jdm.symvers.TypeInfo.FieldInfo::visible).isPresent()
                    : info.method(s.member(), s.descriptor()).filter(m -> m.visible()
                            && !(m.isStatic() && info.kind() == dev.jdm.symvers.TypeKind.INTERFACE)).isPresent();
            if (declared) {
                return Optional.of(new Symbol(info.name(), s.member(), s.descriptor()));
            }
            supers(info, queue);
        }
        return Optional.empty();
    }

    private static void supers(dev.jdm.symvers.TypeInfo t, java.util.Deque<String> queue) {
        if (t.superName() != null) {
            queue.add(t.superName());
        }
        queue.addAll(t.interfaces());
    }

    private static Finding removal(ReleasedAbi released, Generation generation, Symbol symbol) {
        return released.revocations().get(symbol)
                .map(r -> new Finding(Kind.REVOKED, symbol, generation, r.advisory() + ": " + r.text()))
                .orElseGet(() -> new Finding(Kind.REMOVED, symbol, generation, "released in " + generation
                        + " and gone; only a security revocation (jdm-abi/revoked.toml) may remove a released symbol"));
    }

    private static Optional<Definition> define(Fingerprinter fp, Symbol s) {
        try {
            return Optional.of(fp.define(s));
        } catch (UnknownSymbolException e) {
            return Optional.empty();
        }
    }
}

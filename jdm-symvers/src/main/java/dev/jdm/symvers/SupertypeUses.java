package dev.jdm.symvers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a module's class hierarchy makes it depend on, beyond the references in its bytecode:
 * <ul>
 *   <li>A <em>provided</em> type may gain methods in any generation only because no module
 *       implements or extends it; a module that does is refused.
 *   <li>Overriding a <em>default</em> method of an implemented type (every security hook is one)
 *       is a use of that method: if its shape changed, the override would silently stop being
 *       called. So each override is imported, and checked like any other symbol.
 * </ul>
 */
final class SupertypeUses {
    /**
     * What the hierarchy adds.
     *
     * @param overrides each overridden default method, with the module class that overrides it
     */
    record Found(Map<Symbol, String> overrides, List<LinkProblem> problems) {}

    private final TypeWorld own;
    private final LinkTargets targets;

    SupertypeUses(TypeWorld own, LinkTargets targets) {
        this.own = own;
        this.targets = targets;
    }

    Found scan() {
        Map<Symbol, String> overrides = new LinkedHashMap<>();
        List<LinkProblem> problems = new ArrayList<>();
        for (TypeInfo t : own.types()) {
            for (String direct : supers(t)) {
                if (own.contains(direct)) {
                    continue;
                }
                linkable(direct).filter(s -> s.role() == TypeRole.PROVIDED).ifPresent(s -> problems.add(new LinkProblem(
                        LinkProblem.Kind.PROVIDED_TYPE, t.name(), s.name(), (s.kind() == TypeKind.INTERFACE ? "implements" : "extends")
                        + " it, but it is a provided type: the host implements it and a later generation may add methods to it;"
                        + " a module only uses it")));
            }
            Set<TypeInfo> implemented = new LinkedHashSet<>();
            collectImplemented(t, implemented, new LinkedHashSet<>());
            for (TypeInfo.MethodInfo m : t.methods()) {
                if (m.isStatic() || m.isSynthetic() || m.name().startsWith("<")) {
                    continue;
                }
                for (TypeInfo s : implemented) {
                    s.method(m.name(), m.descriptor()).filter(d -> !d.isStatic() && !d.isAbstract() && d.visible())
                            .ifPresent(d -> overrides.putIfAbsent(Symbol.method(s.name(), m.name(), m.descriptor()), t.name()));
                }
            }
        }
        return new Found(overrides, problems);
    }

    /** Every implemented linkable type above {@code t}, through its own and the linkable types' supertypes. */
    private void collectImplemented(TypeInfo t, Set<TypeInfo> out, Set<String> seen) {
        for (String s : supers(t)) {
            if (!seen.add(s)) {
                continue;
            }
            Optional<TypeInfo> info = own.find(s).or(() -> linkable(s));
            info.ifPresent(i -> {
                if (!own.contains(s) && i.role() == TypeRole.IMPLEMENTED) {
                    out.add(i);
                }
                collectImplemented(i, out, seen);
            });
        }
    }

    private Optional<TypeInfo> linkable(String name) {
        return targets.providerOf(name).flatMap(p -> targets.world().find(name));
    }

    private static List<String> supers(TypeInfo t) {
        List<String> out = new ArrayList<>(t.interfaces());
        if (t.superName() != null) {
            out.add(t.superName());
        }
        return out;
    }
}

package dev.jdm.symvers.stability;

import dev.jdm.symvers.Definition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a change to a symbol's expanded definition could break a module built against the old
 * one: decided fact by fact, one rule per kind of fact, some safe in one direction only.
 *
 * <table>
 *   <caption>The rules</caption>
 *   <tr><th>fact</th><th>change</th><th>verdict</th></tr>
 *   <tr><td>the member (static-ness, constant value)</td><td>any</td><td>breaks</td></tr>
 *   <tr><td>generic signature</td><td>changed, same erasure</td><td>compatible: the JVM links by erasure</td></tr>
 *   <tr><td>owner identity or kind</td><td>any</td><td>breaks</td></tr>
 *   <tr><td>compile-time constant</td><td>added</td><td>compatible: no module can have inlined it</td></tr>
 *   <tr><td>compile-time constant</td><td>removed or value changed</td><td>breaks: a module may have inlined the old value</td></tr>
 *   <tr><td>type kind or role</td><td>changed</td><td>breaks</td></tr>
 *   <tr><td>{@code final} or sealing</td><td>removed</td><td>compatible</td></tr>
 *   <tr><td>{@code final} or sealing</td><td>added to a provided type</td><td>compatible: modules may not extend provided types</td></tr>
 *   <tr><td>{@code final} or sealing</td><td>added to an implemented type</td><td>breaks</td></tr>
 *   <tr><td>record component</td><td>any</td><td>compatible here: the accessors and the canonical constructor are symbols of their own, checked on their own</td></tr>
 *   <tr><td>enum constant</td><td>added</td><td>compatible</td></tr>
 *   <tr><td>enum constant</td><td>removed</td><td>compatible here: naming it imports its field, checked on its own</td></tr>
 *   <tr><td>abstract method of an implemented type</td><td>added</td><td>breaks, unless the module implements it</td></tr>
 *   <tr><td>abstract method of an implemented type</td><td>removed</td><td>breaks: the host would stop calling the module's implementation</td></tr>
 *   <tr><td>a reachable type</td><td>no longer reached, or newly reached</td><td>compatible: reachability follows from the facts above</td></tr>
 *   <tr><td>superclass (format 2)</td><td>changed</td><td>breaks: casts, catches and assignments depend on it</td></tr>
 *   <tr><td>superinterface (format 2)</td><td>removed</td><td>breaks</td></tr>
 *   <tr><td>superinterface (format 2)</td><td>added</td><td>compatible (new abstract methods are judged on their own)</td></tr>
 *   <tr><td>enum ordinal (format 2)</td><td>changed, for a constant that stays</td><td>breaks: {@code ordinal()}, {@code compareTo} and EnumMap order depend on it</td></tr>
 * </table>
 *
 * <p>Two definitions are compared in the older of their formats: a format-1 definition (written
 * before hierarchy and ordinals were recorded) says nothing about them.
 */
public final class Compatibility {
    /** What a module does with the ABI, as far as the rules need to know; {@link #ANY} assumes the worst. */
    public interface ModuleUse {
        /** Whether the module has a concrete method {@code nameAndDescriptor} in a class implementing {@code type}. */
        boolean implementsMethod(String type, String nameAndDescriptor);

        /**
         * Whether the module lists every ABI constant it may have inlined as an import of its own
         * (modpost saw its sources): then a constant reached only through another symbol's
         * definition cannot be in its bytecode, and its own import decides.
         */
        default boolean listsInlinedConstants() {
            return false;
        }
    }

    /** A module that might do anything: what {@code jdm abi check} assumes. */
    public static final ModuleUse ANY = (type, method) -> false;

    private Compatibility() {}

    /** As {@link #breaks(Definition, Definition, ModuleUse, int)} for any module, both in today's format. */
    public static Optional<String> breaks(Definition released, Definition now) {
        return breaks(released, now, ANY, dev.jdm.symvers.Fingerprinter.FORMAT);
    }

    /**
     * The reasons the change from {@code old} to {@code now} could break a module that uses the ABI
     * as {@code use} says, or empty if it cannot; both are compared as expansion format {@code format} writes them.
     */
    public static Optional<String> breaks(Definition oldDefinition, Definition nowDefinition, ModuleUse use, int format) {
        Definition old = oldDefinition.inFormat(format);
        Definition now = nowDefinition.inFormat(format);
        if (old.lines().equals(now.lines())) {
            return Optional.empty();
        }
        DefinitionFacts a = DefinitionFacts.of(old);
        DefinitionFacts b = DefinitionFacts.of(now);
        List<String> reasons = new ArrayList<>();
        if (!java.util.Objects.equals(DefinitionFacts.erased(a.member()), DefinitionFacts.erased(b.member()))) {
            reasons.add(memberChange(a.member(), b.member()));
        }
        if (!java.util.Objects.equals(a.owner(), b.owner())) {
            reasons.add("its owner changed: " + a.owner() + " -> " + b.owner());
        }
        if (!use.listsInlinedConstants()) {
            constants("the owner", a.ownerConstants(), b.ownerConstants(), reasons);
        }
        a.types().forEach((name, ta) -> {
            DefinitionFacts.TypeBlock tb = b.types().get(name);
            if (tb != null) {
                typeChanges(name, ta, tb, use, reasons);
            }
        });
        return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", reasons));
    }

    private static void typeChanges(String name, DefinitionFacts.TypeBlock a, DefinitionFacts.TypeBlock b, ModuleUse use, List<String> reasons) {
        if (!a.kind().equals(b.kind()) || !a.role().equals(b.role())) {
            reasons.add(name + " became " + b.kind() + " " + b.role() + " (was " + a.kind() + " " + a.role() + ")");
            return;
        }
        boolean implemented = b.role().equals("implemented");
        if (implemented && (!a.isFinal() && b.isFinal() || !a.isSealed() && b.isSealed())) {
            reasons.add(name + " became " + (b.isFinal() ? "final" : "sealed") + ", but modules implement it");
        }
        if (!use.listsInlinedConstants()) {
            constants(name, a.constants(), b.constants(), reasons);
        }
        if (!a.superclass().equals(b.superclass())) {
            reasons.add(name + " now extends " + String.join("", b.superclass()) + " (was " + String.join("", a.superclass()) + ")");
        }
        for (String i : a.interfaces()) {
            if (!b.interfaces().contains(i)) {
                reasons.add(name + " no longer implements " + i);
            }
        }
        a.ordinals().forEach((constant, ordinal) -> {
            Integer now = b.ordinals().get(constant);
            if (now != null && !now.equals(ordinal)) {
                reasons.add(name + "." + constant + " has ordinal " + now + " (was " + ordinal + ")");
            }
        });
        for (Map.Entry<String, String> m : b.abstracts().entrySet()) {
            if (!a.abstracts().containsKey(m.getKey()) && !use.implementsMethod(name, m.getKey())) {
                reasons.add(name + " gained abstract method " + m.getKey() + ", which a module built before lacks");
            }
        }
        for (String m : a.abstracts().keySet()) {
            if (!b.abstracts().containsKey(m)) {
                reasons.add(name + " lost abstract method " + m + ": the host would no longer call a module's implementation of it");
            }
        }
    }

    /**
     * As {@link #breaks(Definition, Definition, ModuleUse, int)} for a member the module names on
     * one class ({@code asBuilt}, its row) that now resolves to a supertype ({@code now}): pulled
     * up, the JVM still finds it through the class the bytecode names (JVMS 5.4.3.3), so only the
     * member's own shape and the types it reaches count, not which class declares it.
     */
    public static Optional<String> breaksMoved(Definition asBuilt, Definition now, ModuleUse use, int format) {
        return breaks(withoutOwner(asBuilt), withoutOwner(now), use, format);
    }

    /** The definition without its owner's lines, the member's line naming no owner. */
    private static Definition withoutOwner(Definition d) {
        java.util.List<String> lines = new ArrayList<>();
        boolean ownerBlock = false;
        for (String line : d.lines()) {
            if (lines.isEmpty()) {
                lines.add(line.replaceFirst("^(\\S+ )\\S+#", "$1#"));
            } else if (line.startsWith("owner ")) {
                ownerBlock = true;
            } else if (ownerBlock && line.startsWith("  const ")) {
                continue;
            } else {
                ownerBlock = false;
                lines.add(line);
            }
        }
        return new Definition(d.symbol(), java.util.List.copyOf(lines));
    }

    /** A constant whose value changed says so; any other change of the member names both lines. */
    private static String memberChange(String a, String b) {
        int va = a == null ? -1 : a.indexOf(" value=");
        int vb = b == null ? -1 : b.indexOf(" value=");
        if (va > 0 && vb > 0 && a.substring(0, va).equals(b.substring(0, vb))) {
            String old = a.substring(va + " value=".length());
            return "its value changed from " + old + " to " + b.substring(vb + " value=".length()) + "; the module may have inlined " + old;
        }
        return "the symbol itself changed: " + a + " -> " + b;
    }

    private static void constants(String where, Map<String, String> a, Map<String, String> b, List<String> reasons) {
        a.forEach((k, v) -> {
            String now = b.get(k);
            if (now == null) {
                reasons.add(where + " lost constant " + k + " (=" + v + "), which a module may have inlined");
            } else if (!now.equals(v)) {
                reasons.add(where + " constant " + k + " changed from " + v + " to " + now + "; a module may have inlined " + v);
            }
        });
    }
}

package dev.jdm.symvers.stability;

import dev.jdm.symvers.Definition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An expanded definition read back into its facts, so two definitions can be compared fact by
 * fact: the member's own line, its owner and the owner's constants, and one block per reachable
 * type (kind, role, finality, sealing, constants, abstract methods, supertypes, enum ordinals).
 * Record components and enum constant names are left out: no rule needs them, because each is
 * also a symbol of its own (an accessor, a constructor, a field), checked on its own. The line format is {@code Fingerprinter}'s (format 1, and format 2's hierarchy and ordinal lines).
 */
record DefinitionFacts(String member, String owner, Map<String, String> ownerConstants, Map<String, TypeBlock> types) {

    /** One reachable type's facts. */
    record TypeBlock(String kind, String role, boolean isFinal, boolean isSealed, Map<String, String> constants,
            Map<String, String> abstracts, List<String> superclass, List<String> interfaces, Map<String, Integer> ordinals) {}

    static DefinitionFacts of(Definition d) {
        String member = null;
        String owner = null;
        Map<String, String> ownerConstants = new TreeMap<>();
        Map<String, TypeBlock> types = new LinkedHashMap<>();
        TypeBlock block = null;
        for (String line : d.lines()) {
            if (line.startsWith("type ")) {
                String[] w = line.split(" ");
                block = new TypeBlock(w[2], w[3], line.contains(" final"), line.contains(" sealed"), new TreeMap<>(), new TreeMap<>(),
                        new ArrayList<>(), new ArrayList<>(), new TreeMap<>());
                types.put(w[1], block);
            } else if (line.startsWith("owner ")) {
                owner = line;
            } else if (line.startsWith("  const ")) {
                String c = line.substring("  const ".length());
                int eq = c.indexOf('=');
                (block == null ? ownerConstants : block.constants()).put(c.substring(0, eq), c.substring(eq + 1));
            } else if (block != null && (line.startsWith("  component ") || line.startsWith("  enum "))) {
                continue; // judged through their own symbols (accessors, constructors, fields) and the ordinals
            } else if (block != null && line.startsWith(Definition.EXTENDS)) {
                block.superclass().add(line.substring(Definition.EXTENDS.length()));
            } else if (block != null && line.startsWith(Definition.IMPLEMENTS)) {
                block.interfaces().add(line.substring(Definition.IMPLEMENTS.length()));
            } else if (block != null && line.startsWith(Definition.ORDINAL)) {
                String[] w = line.substring(Definition.ORDINAL.length()).split(" ");
                block.ordinals().put(w[0], Integer.parseInt(w[1]));
            } else if (block != null && line.startsWith("  abstract ")) {
                String m = line.substring("  abstract ".length());
                int sig = m.indexOf(" sig=");
                block.abstracts().put(sig < 0 ? m : m.substring(0, sig), sig < 0 ? "" : m.substring(sig));
            } else if (member == null) {
                member = line;
            }
        }
        return new DefinitionFacts(member, owner, ownerConstants, types);
    }

    /** A member line without its generic signature: what the JVM links by. */
    static String erased(String memberLine) {
        if (memberLine == null) {
            return null;
        }
        int sig = memberLine.indexOf(" sig=");
        int value = memberLine.indexOf(" value=");
        String head = sig < 0 ? memberLine : memberLine.substring(0, sig);
        return value < 0 || sig < 0 ? head : head + memberLine.substring(value);
    }
}

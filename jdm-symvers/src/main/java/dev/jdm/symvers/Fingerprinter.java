package dev.jdm.symvers;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Expands a symbol's definition over the ABI types it reaches and hashes it (modversions, made
 * precise). For each reachable type the expansion covers exactly what a user depends on:
 * <ul>
 *   <li>records: their components, in order (the canonical constructor's shape);
 *   <li>enums: their constant names;
 *   <li>implemented types: the full set of abstract methods, inherited ones included;
 *   <li>provided types: identity, kind, finality and sealing only;
 *   <li>every type: its compile-time constants, because javac inlines them into the module;
 *   <li>every type (format 2): its superclass and superinterfaces, in order, because a module's
 *       casts, catches and assignments depend on them; enums: each constant's ordinal.
 * </ul>
 * The owner of a member contributes its identity, kind and constants: how the member is invoked
 * depends on them, not on the owner's other members.
 */
public final class Fingerprinter {
    /**
     * The version of the expansion rules. Released baselines and versions tables record it:
     * fingerprints computed by other rules are not comparable, so a change to the rules raises it.
     * Format 2 appends, at the end of each type's block, its superclass, its superinterfaces and its
     * enum constants' ordinals; dropping those lines ({@link Definition#inFormat}) gives format 1.
     */
    public static final int FORMAT = 2;

    private final TypeWorld world;
    private final Map<Symbol, Definition> cache = new java.util.concurrent.ConcurrentHashMap<>();

    /** A fingerprinter over the types of {@code world} (the ABI, plus exporting modules' types). */
    public Fingerprinter(TypeWorld world) {
        this.world = world;
    }

    /** The fingerprint of a symbol. */
    public long fingerprint(Symbol symbol) {
        return define(symbol).fingerprint();
    }

    /**
     * The expanded definition of a symbol.
     *
     * @throws UnknownSymbolException if the symbol's type or member is not in the world
     */
    public Definition define(Symbol symbol) {
        Definition cached = cache.get(symbol);
        if (cached != null) {
            return cached;
        }
        Definition d = expand(symbol);
        cache.put(symbol, d);
        return d;
    }

    private Definition expand(Symbol symbol) {
        TypeInfo owner = world.find(symbol.owner()).orElseThrow(() -> new UnknownSymbolException(symbol, "no such type"));
        List<String> lines = new ArrayList<>();
        Set<String> reach = new TreeSet<>();
        switch (symbol.kind()) {
            case TYPE -> {
                lines.add("type-symbol " + symbol);
                reach.add(owner.name());
            }
            case FIELD -> {
                TypeInfo.FieldInfo f = owner.field(symbol.member(), symbol.descriptor())
                        .filter(TypeInfo.FieldInfo::visible)
                        .orElseThrow(() -> new UnknownSymbolException(symbol, "no such field in " + owner.name()));
                lines.add("field " + symbol + " static=" + f.isStatic() + sig(f.signature())
                        + (f.constant() == null ? "" : " value=" + f.constant()));
                ownerLines(owner, lines);
                reach.addAll(Signatures.typesOfDescriptor(f.descriptor()));
                reach.addAll(Signatures.typesOfSignature(f.signature()));
            }
            default -> {
                TypeInfo.MethodInfo m = owner.method(symbol.member(), symbol.descriptor())
                        .filter(TypeInfo.MethodInfo::visible)
                        .orElseThrow(() -> new UnknownSymbolException(symbol, "no such method in " + owner.name()));
                lines.add((symbol.kind() == Symbol.Kind.CONSTRUCTOR ? "constructor " : "method ") + symbol
                        + " static=" + m.isStatic() + sig(m.signature()));
                ownerLines(owner, lines);
                reach.addAll(Signatures.typesOfDescriptor(m.descriptor()));
                reach.addAll(Signatures.typesOfSignature(m.signature()));
            }
        }
        lines.addAll(expandTypes(reach));
        return new Definition(symbol, List.copyOf(lines));
    }

    private void ownerLines(TypeInfo owner, List<String> lines) {
        lines.add("owner " + owner.name() + " " + owner.kind().word());
        constants(owner, lines);
    }

    /** Blocks of every type reachable from {@code roots}, sorted by name so order never matters. */
    private List<String> expandTypes(Set<String> roots) {
        Map<String, List<String>> blocks = new TreeMap<>();
        Deque<String> queue = new ArrayDeque<>(roots);
        Set<String> seen = new HashSet<>(roots);
        while (!queue.isEmpty()) {
            String name = queue.poll();
            TypeInfo t = world.find(name).orElse(null);
            if (t == null) {
                continue; // a JDK type: its name is already in the descriptor
            }
            List<String> block = new ArrayList<>();
            block.add("type " + t.name() + " " + t.kind().word() + " " + t.role().word()
                    + (t.isFinal() ? " final" : "") + (t.isSealed() ? " sealed" : ""));
            if (t.role() != TypeRole.OPAQUE) {
                constants(t, block);
                for (String dep : body(t, block)) {
                    if (seen.add(dep)) {
                        queue.add(dep);
                    }
                }
                hierarchy(t, block);
            }
            blocks.put(t.name(), block);
        }
        List<String> out = new ArrayList<>();
        blocks.values().forEach(out::addAll);
        return out;
    }

    /** Adds the role-specific lines of a type and returns the types they reach. */
    private Set<String> body(TypeInfo t, List<String> block) {
        Set<String> deps = new TreeSet<>();
        if (t.kind() == TypeKind.RECORD) {
            for (TypeInfo.Component c : t.components()) {
                block.add("  component " + c.name() + " " + c.descriptor() + sig(c.signature()));
                deps.addAll(Signatures.typesOfDescriptor(c.descriptor()));
                deps.addAll(Signatures.typesOfSignature(c.signature()));
            }
        }
        if (t.kind() == TypeKind.ENUM) {
            t.fields().stream().filter(TypeInfo.FieldInfo::isEnumConstant).map(f -> "  enum " + f.name()).sorted()
                    .forEach(block::add);
        }
        if (t.role() == TypeRole.IMPLEMENTED) {
            for (TypeInfo.MethodInfo m : abstractMethods(t).values()) {
                block.add("  abstract " + m.name() + m.descriptor() + sig(m.signature()));
                deps.addAll(Signatures.typesOfDescriptor(m.descriptor()));
                deps.addAll(Signatures.typesOfSignature(m.signature()));
            }
        }
        return deps;
    }

    /** Format 2's lines: supertypes in declaration order, and enum ordinals (the order javac numbers them in). */
    private static void hierarchy(TypeInfo t, List<String> block) {
        if (t.superName() != null && t.kind() != TypeKind.INTERFACE && t.kind() != TypeKind.ANNOTATION) {
            block.add(Definition.EXTENDS + t.superName());
        }
        t.interfaces().forEach(i -> block.add(Definition.IMPLEMENTS + i));
        int ordinal = 0;
        for (TypeInfo.FieldInfo f : t.fields()) {
            if (f.isEnumConstant()) {
                block.add(Definition.ORDINAL + f.name() + " " + ordinal++);
            }
        }
    }

    /** Abstract methods a subclass or implementation must provide, keyed by name and descriptor. */
    private Map<String, TypeInfo.MethodInfo> abstractMethods(TypeInfo t) {
        Map<String, TypeInfo.MethodInfo> abstracts = new TreeMap<>();
        Set<String> concrete = new HashSet<>();
        collectAbstract(t, abstracts, concrete, new HashSet<>());
        concrete.forEach(abstracts::remove);
        return new LinkedHashMap<>(abstracts);
    }

    private void collectAbstract(TypeInfo t, Map<String, TypeInfo.MethodInfo> abstracts, Set<String> concrete, Set<String> seen) {
        if (!seen.add(t.name())) {
            return;
        }
        for (TypeInfo.MethodInfo m : t.methods()) {
            if (m.isStatic() || m.name().startsWith("<") || m.isSynthetic()) {
                continue;
            }
            String key = m.name() + m.descriptor();
            if (m.isAbstract()) {
                if (!concrete.contains(key)) {
                    abstracts.putIfAbsent(key, m);
                }
            } else {
                concrete.add(key);
            }
        }
        List<String> supers = new ArrayList<>();
        if (t.superName() != null) {
            supers.add(t.superName());
        }
        supers.addAll(t.interfaces());
        for (String s : supers) {
            world.find(s).ifPresent(st -> collectAbstract(st, abstracts, concrete, seen));
        }
    }

    private static void constants(TypeInfo t, List<String> lines) {
        t.fields().stream()
                .filter(f -> f.visible() && f.isStatic() && f.constant() != null)
                .map(f -> "  const " + f.name() + ":" + f.descriptor() + "=" + f.constant())
                .sorted()
                .forEach(lines::add);
    }

    private static String sig(String signature) {
        return signature == null || signature.isEmpty() ? "" : " sig=" + signature;
    }
}

package dev.jdm.symvers;

import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.FieldRefEntry;
import java.lang.classfile.constantpool.MemberRefEntry;
import java.lang.classfile.constantpool.MethodTypeEntry;
import java.lang.classfile.constantpool.NameAndTypeEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.ExceptionCatch;
import java.lang.classfile.instruction.NewMultiArrayInstruction;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.classfile.instruction.NewReferenceArrayInstruction;
import java.lang.classfile.instruction.TypeCheckInstruction;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a module's bytecode and finds every ABI or dependency symbol it uses, the way the JVM
 * would resolve it, and every reference it may not make. References hidden in lambdas and method
 * references are found too: their method handles live in the constant pool.
 *
 * <p>A class used only as the owner of a member reference is not imported as a type: the member's
 * own fingerprint covers what the call depends on. Every other use of an ABI class (extends,
 * implements, new, casts, instanceof, class literals, catch) imports the type.
 */
public final class ModuleScanner {
    private final Map<String, ClassModel> own;
    private final TypeWorld ownTypes;
    private final LinkTargets targets;
    private final JdkPolicy policy;

    private final Map<Symbol, String> imports = new TreeMap<>();
    private final Map<Symbol, String> sites = new TreeMap<>();
    private final Map<String, LinkProblem> problems = new LinkedHashMap<>();
    private final Map<Symbol, Set<Symbol>> referencedAs = new TreeMap<>();

    /**
     * @param own the module's classes, by internal name
     * @param targets the ABI and the dependencies' exports
     */
    public ModuleScanner(Map<String, ClassModel> own, LinkTargets targets, JdkPolicy policy) {
        this.own = own;
        this.ownTypes = TypeWorld.of(own.values().stream().map(TypeReader::read).toList());
        this.targets = targets;
        this.policy = policy;
    }

    /**
     * The result of a scan.
     *
     * @param imports each imported symbol and its provider ({@link LinkTargets#ABI} or a module)
     * @param sites for each imported symbol, one module class that uses it
     * @param problems every reference the module may not make
     * @param overrides imported default methods the module overrides (a subset of {@code imports})
     * @param referencedAs for an import found in a supertype of the class the bytecode names, the
     *     symbols as the bytecode names them ({@code Kmem#stats()} resolved to {@code KmemInfo#stats()})
     */
    public record Result(Map<Symbol, String> imports, Map<Symbol, String> sites, List<LinkProblem> problems, Set<Symbol> overrides,
            Map<Symbol, Set<Symbol>> referencedAs) {
        /** Modules this one links to, sorted. */
        public Set<String> dependencies() {
            Set<String> deps = new java.util.TreeSet<>(imports.values());
            deps.remove(LinkTargets.ABI);
            return deps;
        }
    }

    /** Scans every class of the module. */
    public Result scan() {
        for (ClassModel model : own.values()) {
            scanClass(model);
        }
        SupertypeUses.Found hierarchy = new SupertypeUses(ownTypes, targets).scan();
        hierarchy.overrides().forEach((s, site) -> addImport(s, targets.providerOf(s.owner()).orElseThrow(), site));
        hierarchy.problems().forEach(p -> problem(p.kind(), p.site(), p.reference(), p.reason()));
        Map<Symbol, Set<Symbol>> referenced = new java.util.HashMap<>();
        referencedAs.forEach((k, v) -> referenced.put(k, Set.copyOf(v)));
        return new Result(Map.copyOf(imports), Map.copyOf(sites), List.copyOf(problems.values()), Set.copyOf(hierarchy.overrides().keySet()),
                Map.copyOf(referenced));
    }

    /**
     * Whether some class of the module below {@code type} (an ABI or dependency type) has a
     * concrete method {@code nameAndDescriptor} of its own or from a superclass of the module's.
     */
    public boolean implementsMethod(String type, String nameAndDescriptor) {
        for (TypeInfo t : ownTypes.types()) {
            if (below(t, type, new HashSet<>()) && concrete(t, nameAndDescriptor)) {
                return true;
            }
        }
        return false;
    }

    private boolean below(TypeInfo t, String type, Set<String> seen) {
        List<String> supers = new ArrayList<>(t.interfaces());
        if (t.superName() != null) {
            supers.add(t.superName());
        }
        for (String s : supers) {
            if (s.equals(type)) {
                return true;
            }
            Optional<TypeInfo> next = ownTypes.find(s).or(() -> targets.world().find(s));
            if (seen.add(s) && next.isPresent() && below(next.get(), type, seen)) {
                return true;
            }
        }
        return false;
    }

    private boolean concrete(TypeInfo t, String nameAndDescriptor) {
        for (TypeInfo c = t; c != null; c = c.superName() == null ? null : ownTypes.find(c.superName()).orElse(null)) {
            if (c.methods().stream().anyMatch(m -> !m.isAbstract() && !m.isStatic() && (m.name() + m.descriptor()).equals(nameAndDescriptor))) {
                return true;
            }
        }
        return false;
    }

    /** The module's own types. */
    public TypeWorld ownTypes() {
        return ownTypes;
    }

    private void scanClass(ClassModel model) {
        String site = model.thisClass().asInternalName().replace('/', '.');
        model.superclass().ifPresent(s -> useType(s.asInternalName(), site, true));
        model.interfaces().forEach(i -> useType(i.asInternalName(), site, true));

        Set<String> ownerOnly = new HashSet<>();
        Set<String> typeUses = new HashSet<>();
        List<ClassEntry> classEntries = new ArrayList<>();
        for (PoolEntry entry : model.constantPool()) {
            switch (entry) {
                case ClassEntry c -> classEntries.add(c);
                case MemberRefEntry m -> {
                    ownerOnly.add(m.owner().asInternalName());
                    useMember(m, site);
                }
                case NameAndTypeEntry nt -> checkDescriptor(nt.type().stringValue(), site);
                case MethodTypeEntry mt -> checkDescriptor(mt.descriptor().stringValue(), site);
                default -> { }
            }
        }
        for (MethodModel method : model.methods()) {
            checkDescriptor(method.methodType().stringValue(), site);
            method.code().ifPresent(code -> collectTypeUses(code, typeUses));
        }
        for (FieldModel field : model.fields()) {
            checkDescriptor(field.fieldType().stringValue(), site);
        }
        // javac lists nested classes it merely mentions (MethodHandles$Lookup for every lambda) in
        // InnerClasses; naming a class there uses nothing of it.
        Set<String> declaredOnly = new HashSet<>();
        model.findAttribute(java.lang.classfile.Attributes.innerClasses()).ifPresent(ic -> ic.classes().forEach(info -> {
            declaredOnly.add(info.innerClass().asInternalName());
            info.outerClass().ifPresent(o -> declaredOnly.add(o.asInternalName()));
        }));
        for (ClassEntry c : classEntries) {
            String name = c.asInternalName();
            if (typeUses.contains(name) || (!ownerOnly.contains(name) && !declaredOnly.contains(name))) {
                useType(name, site, true);
            } else if (!ownerOnly.contains(name)) {
                checkDescriptor("L" + name + ";", site);
            }
        }
    }

    private static void collectTypeUses(CodeModel code, Set<String> uses) {
        for (CodeElement e : code) {
            switch (e) {
                case TypeCheckInstruction t -> uses.add(t.type().asInternalName());
                case NewObjectInstruction n -> uses.add(n.className().asInternalName());
                case NewReferenceArrayInstruction n -> uses.add(n.componentType().asInternalName());
                case NewMultiArrayInstruction n -> uses.add(n.arrayType().asInternalName());
                case ConstantInstruction.LoadConstantInstruction l when l.constantEntry() instanceof ClassEntry c ->
                        uses.add(c.asInternalName());
                case ExceptionCatch c -> c.catchType().ifPresent(t -> uses.add(t.asInternalName()));
                default -> { }
            }
        }
    }

    /** Checks a class reference; imports it as a type symbol if {@code importType} and it is linkable. */
    private void useType(String internalName, String site, boolean importType) {
        String name = elementType(internalName);
        if (name == null) {
            return;
        }
        String binary = name.replace('/', '.');
        if (ownTypes.contains(binary)) {
            return;
        }
        Optional<String> provider = targets.providerOf(binary);
        if (provider.isPresent()) {
            if (importType) {
                addImport(Symbol.type(binary), provider.get(), site);
            }
            return;
        }
        classifyUnlinkable(name, site, false);
    }

    /** Reports a class that is neither the module's, nor the ABI's, nor a dependency's. */
    private void classifyUnlinkable(String name, String site, boolean inDescriptor) {
        String binary = name.replace('/', '.');
        if (AbiModel.inAbiPackage(name)) {
            problem(LinkProblem.Kind.UNKNOWN_SYMBOL, site, binary, "the ABI has no such type");
        } else if (name.startsWith("dev/jdm/")) {
            problem(LinkProblem.Kind.HOST_INTERNAL, site, binary, "");
        } else if (JdkPolicy.isJdkName(name)) {
            policy.checkClass(name, inDescriptor).ifPresent(r -> problem(LinkProblem.Kind.FORBIDDEN_JDK, site, binary, r));
        } else {
            problem(LinkProblem.Kind.UNRESOLVED, site, binary,
                    "which is not in the module, the ABI, the allowed JDK packages or a dependency's exports");
        }
    }

    private void checkDescriptor(String descriptor, String site) {
        Set<String> types;
        try {
            types = Signatures.typesOfDescriptor(descriptor);
        } catch (SymversException e) {
            problem(LinkProblem.Kind.UNRESOLVED, site, descriptor, "a malformed descriptor");
            return;
        }
        for (String binary : types) {
            String internal = binary.replace('.', '/');
            if (!ownTypes.contains(binary) && targets.providerOf(binary).isEmpty()) {
                classifyUnlinkable(internal, site, true);
            }
        }
    }

    private void useMember(MemberRefEntry ref, String site) {
        String owner = ref.owner().asInternalName();
        if (owner.startsWith("[")) {
            String element = elementType(owner);
            if (element != null) {
                useType(element, site, false);
            }
            return; // array members (clone, length) are the JVM's
        }
        String name = ref.name().stringValue();
        String desc = ref.type().stringValue();
        boolean field = ref instanceof FieldRefEntry;
        referenced = field ? Symbol.field(owner, name, desc) : Symbol.method(owner, name, desc);
        resolve(owner, name, desc, field, site, new HashSet<>());
        referenced = null;
    }

    /**
     * Resolves a member as the JVM does: in the named class, then up its superclasses and
     * superinterfaces, until it is found in the module, the ABI, a dependency or the JDK.
     */
    private boolean resolve(String owner, String name, String desc, boolean field, String site, Set<String> seen) {
        if (!seen.add(owner)) {
            return false;
        }
        String binary = owner.replace('/', '.');
        Optional<TypeInfo> ownType = ownTypes.find(binary);
        Optional<String> provider = targets.providerOf(binary);
        TypeInfo info = ownType.orElseGet(() -> provider.flatMap(p -> targets.world().find(binary)).orElse(null));
        if (info == null) {
            if (JdkPolicy.isJdkName(owner)) {
                Optional<String> refused = policy.checkClass(owner).or(() -> policy.checkMember(owner, name));
                refused.ifPresent(r -> problem(LinkProblem.Kind.FORBIDDEN_JDK, site,
                        binary + "#" + name + (field ? ":" : "") + desc, r));
                return true;
            }
            classifyUnlinkable(owner, site, false);
            return true;
        }
        boolean declared = field ? info.field(name, desc).isPresent() : info.method(name, desc).isPresent();
        if (declared) {
            if (provider.isPresent() && ownType.isEmpty()) {
                boolean visible = field ? info.field(name, desc).get().visible() : info.method(name, desc).get().visible();
                Symbol s = field ? Symbol.field(binary, name, desc) : Symbol.method(binary, name, desc);
                if (!visible) {
                    problem(LinkProblem.Kind.UNKNOWN_SYMBOL, site, s.toString(), "not public");
                } else {
                    addImport(s, provider.get(), site);
                }
            }
            return true;
        }
        if (!name.equals("<init>")) {
            List<String> supers = new ArrayList<>();
            if (field) {
                supers.addAll(info.interfaces()); // JVMS 5.4.3.2: superinterfaces before the superclass
            }
            if (info.superName() != null) {
                supers.add(info.superName().replace('.', '/'));
            }
            if (!field) {
                supers.addAll(info.interfaces());
            }
            if (info.superName() == null || info.kind() == TypeKind.INTERFACE) {
                supers.add("java/lang/Object"); // interface method resolution falls back to Object's public methods
            }
            for (String s : new LinkedHashSet<>(supers)) {
                String sup = s.replace('.', '/');
                if (resolvesWithin(sup, name, desc, field) && resolve(sup, name, desc, field, site, seen)) {
                    return true;
                }
            }
        }
        Symbol missing = field ? Symbol.field(binary, name, desc) : Symbol.method(binary, name, desc);
        if (ownType.isPresent()) {
            return false; // the module's own bytecode is the JVM's problem, not the ABI's
        }
        problem(LinkProblem.Kind.UNKNOWN_SYMBOL, site, missing.toString(), "not declared in " + binary + " or its supertypes");
        return true;
    }

    /** Whether the member can be found at or above {@code owner}: JDK types are assumed to have it. */
    private boolean resolvesWithin(String owner, String name, String desc, boolean field) {
        String binary = owner.replace('/', '.');
        TypeInfo info = ownTypes.find(binary).orElseGet(() -> targets.world().find(binary).orElse(null));
        if (info == null) {
            return JdkPolicy.isJdkName(owner) && jdkDeclares(owner, name, desc, field);
        }
        if (field ? info.field(name, desc).isPresent() : info.method(name, desc).isPresent()) {
            return true;
        }
        List<String> supers = new ArrayList<>(info.interfaces());
        if (info.superName() != null) {
            supers.add(info.superName());
        }
        if (info.kind() == TypeKind.INTERFACE) {
            supers.add("java.lang.Object");
        }
        for (String s : supers) {
            if (!s.equals(binary) && resolvesWithin(s.replace('.', '/'), name, desc, field)) {
                return true;
            }
        }
        return false;
    }

    private final Map<String, Optional<TypeInfo>> jdkTypes = new java.util.HashMap<>();

    /** Reads the JDK's own class file to see whether it (or a supertype) has the member. */
    private boolean jdkDeclares(String owner, String name, String desc, boolean field) {
        Optional<TypeInfo> info = jdkTypes.computeIfAbsent(owner, o -> {
            try (var in = ClassLoader.getPlatformClassLoader().getResourceAsStream(o + ".class")) {
                return in == null ? Optional.empty() : Optional.of(TypeReader.read(in.readAllBytes(), o));
            } catch (java.io.IOException | SymversException e) {
                return Optional.empty();
            }
        });
        if (info.isEmpty()) {
            return false;
        }
        TypeInfo t = info.get();
        if (field ? t.field(name, desc).isPresent() : t.method(name, desc).isPresent()) {
            return true;
        }
        List<String> supers = new ArrayList<>(t.interfaces());
        if (t.superName() != null) {
            supers.add(t.superName());
        }
        for (String s : supers) {
            if (jdkDeclares(s.replace('.', '/'), name, desc, field)) {
                return true;
            }
        }
        return !field && t.kind() == TypeKind.INTERFACE && !owner.equals("java/lang/Object")
                && jdkDeclares("java/lang/Object", name, desc, false);
    }

    /** The member reference being resolved, as the bytecode names it; null outside {@link #useMember}. */
    private Symbol referenced;

    private void addImport(Symbol symbol, String provider, String site) {
        imports.putIfAbsent(symbol, provider);
        sites.putIfAbsent(symbol, site);
        if (referenced != null && !referenced.equals(symbol)) {
            referencedAs.computeIfAbsent(symbol, k -> new java.util.TreeSet<>()).add(referenced);
        }
    }

    private void problem(LinkProblem.Kind kind, String site, String reference, String reason) {
        problems.putIfAbsent(kind + " " + reference, new LinkProblem(kind, site, reference, reason));
    }

    /** The element class of an array type, the name itself for a class, null for primitive arrays. */
    private static String elementType(String internalName) {
        if (!internalName.startsWith("[")) {
            return internalName;
        }
        String e = internalName.replaceFirst("^\\[+", "");
        return e.startsWith("L") && e.endsWith(";") ? e.substring(1, e.length() - 1) : null;
    }
}

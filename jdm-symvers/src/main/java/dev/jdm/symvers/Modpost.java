package dev.jdm.symvers;

import java.lang.classfile.ClassModel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The build step that turns compiled classes into a module: reads the entry class's annotations
 * into modinfo, finds every imported symbol and its fingerprint, lists the module's exports, and
 * refuses the build on any reference a module may not make (Linux's modpost, made strict).
 */
public final class Modpost {
    /** Descriptor of the init constructor every entry class has. */
    public static final String INIT_DESCRIPTOR = "(Ldev/jdm/abi/ModuleContext;)V";
    /** The implemented type every entry class implements. */
    public static final String ENTRY_INTERFACE = "dev.jdm.abi.LoadableModule";

    private Modpost() {}

    /**
     * What modpost writes into {@code META-INF/jdm/}.
     *
     * @param modinfo the modinfo file
     * @param versions imported symbols with fingerprints
     * @param exports exported symbols with fingerprints
     */
    public record Output(ModInfo modinfo, SymbolTable versions, SymbolTable exports) {}

    /**
     * Post-processes a module.
     *
     * @param module the module's compiled classes
     * @param abi the ABI it was compiled against
     * @param classpath other JARs on its class path; those that are modules may be linked to
     * @throws ModpostException listing every problem, each naming the class and the reference
     */
    public static Output run(JarContents module, AbiModel abi, List<JarContents> classpath) {
        return run(module, abi, classpath, java.util.Optional.empty());
    }

    /**
     * Post-processes a module whose sources are known: every ABI constant the sources name is
     * listed in the versions table as an import, because javac may have inlined it and left no
     * reference (see {@link SourceNames}). The table then says so ({@code #!constants listed}),
     * and the loader no longer needs to assume that every constant of a type the module reaches
     * was inlined.
     */
    public static Output run(JarContents module, AbiModel abi, List<JarContents> classpath, java.util.Optional<SourceNames> sources) {
        ModuleImage image = ModuleImage.of(module);
        List<Map.Entry<String, String>> entries = new ArrayList<>(ModuleAnnotations.entries(image.entry()));
        String name = entries.stream().filter(e -> e.getKey().equals("name")).map(Map.Entry::getValue).findFirst().orElseThrow();

        List<ModuleExports> candidates = new ArrayList<>();
        for (JarContents jar : classpath) {
            if (jar.metadata().containsKey("modinfo")) {
                candidates.add(exportsOf(jar, abi));
            }
        }
        LinkTargets targets = LinkTargets.of(abi, candidates);
        boolean nativeCode = entries.contains(Map.entry("native", "y"));
        ModuleScanner scanner = new ModuleScanner(image.models(), targets, nativeCode ? JdkPolicy.forNativeCode() : new JdkPolicy());
        ModuleScanner.Result scan = scanner.scan();
        List<LinkProblem> problems = new ArrayList<>(scan.problems());
        if (!nativeCode) {
            module.nativeCode().keySet().forEach(lib -> problems.add(new LinkProblem(LinkProblem.Kind.FORBIDDEN_JDK, image.entryName(), lib,
                    "it is native code, and the module does not declare it (@DriverModule(nativeCode = true))")));
        }
        problems.addAll(checkEntry(image, scanner.ownTypes()));
        if (!problems.isEmpty()) {
            throw new ModpostException(name, problems);
        }

        List<SymbolTable.Entry> rows = versionRows(scan, abi, candidates);
        sources.ifPresent(names -> rows.addAll(constantRows(abi, names, scan.imports().keySet())));
        SymbolTable versions = SymbolTable.of(rows, sources.isPresent());
        ModuleExports own = ModuleExports.compute(name, abi, scanner.ownTypes());
        List<SymbolTable.Entry> exportRows = new ArrayList<>();
        own.definitions().forEach((s, d) -> exportRows.add(new SymbolTable.Entry(s, d.fingerprint(), name, d)));

        entries.add(Map.entry("depends", String.join(",", scan.dependencies())));
        entries.add(Map.entry("abi", minimumGeneration(image, abi, name)));
        if (!entries.getLast().getValue().equals(abi.generation())) {
            entries.add(Map.entry("built", abi.generation())); // what it was compiled against: newer symbols are optional
        }
        entries.add(Map.entry("entry", image.entryName()));
        entries.add(Map.entry("srcversion", srcversion(module)));
        return new Output(ModInfo.of(entries), versions, SymbolTable.of(exportRows));
    }

    /** The declared oldest generation, which must be one the build's ABI serves; else the build's own. */
    private static String minimumGeneration(ModuleImage image, AbiModel abi, String name) {
        String declared = ModuleAnnotations.declaredAbi(image.entry());
        if (declared.isEmpty()) {
            return abi.generation();
        }
        var released = dev.jdm.symvers.stability.ReleasedAbi.of(abi);
        String problem;
        try {
            var g = dev.jdm.symvers.stability.Generation.parse(declared);
            problem = released.serves(g) ? null : g + " is not a generation this ABI serves (" + released.current() + " and the released "
                    + released.baselines().stream().map(b -> b.generation().toString()).toList() + ")";
        } catch (SymversException e) {
            problem = e.getMessage();
        }
        if (problem != null) {
            throw new ModpostException(name, List.of(new LinkProblem(LinkProblem.Kind.UNRESOLVED, image.entryName(),
                    "@DriverModule(abi = \"" + declared + "\")", problem)));
        }
        return declared;
    }

    /** The exports of a module JAR, recomputed from its classes rather than taken from its table. */
    public static ModuleExports exportsOf(JarContents jar, AbiModel abi) {
        ModInfo info = ModInfo.parse(jar.metadata().get("modinfo"), jar.origin());
        List<TypeInfo> types = new ArrayList<>();
        for (var e : jar.classes().entrySet()) {
            types.add(TypeReader.read(e.getValue(), jar.origin() + "!" + e.getKey()));
        }
        return ModuleExports.compute(info.name(), abi, TypeWorld.of(types));
    }

    private static List<SymbolTable.Entry> versionRows(ModuleScanner.Result scan, AbiModel abi, List<ModuleExports> deps) {
        Fingerprinter fingerprinter = new Fingerprinter(abi.world());
        Map<String, ModuleExports> byName = new TreeMap<>();
        deps.forEach(d -> byName.put(d.module(), d));
        List<SymbolTable.Entry> rows = new ArrayList<>();
        for (var e : scan.imports().entrySet()) {
            Definition d = e.getValue().equals(LinkTargets.ABI) ? fingerprinter.define(e.getKey())
                    : byName.get(e.getValue()).definitions().get(e.getKey());
            if (d == null) {
                throw new ModpostException("?", List.of(new LinkProblem(LinkProblem.Kind.UNKNOWN_SYMBOL,
                        scan.sites().get(e.getKey()), e.getKey().toString(), "not exported by " + e.getValue())));
            }
            rows.add(new SymbolTable.Entry(e.getKey(), d.fingerprint(), e.getValue(), d));
        }
        return rows;
    }

    /** A row for every ABI constant whose name the sources contain. */
    private static List<SymbolTable.Entry> constantRows(AbiModel abi, SourceNames names, java.util.Set<Symbol> imported) {
        Fingerprinter fingerprinter = new Fingerprinter(abi.world());
        List<SymbolTable.Entry> rows = new ArrayList<>();
        for (TypeInfo t : abi.world().types()) {
            for (TypeInfo.FieldInfo f : t.fields()) {
                Symbol s = Symbol.field(t.name(), f.name(), f.descriptor());
                if (f.visible() && f.isStatic() && f.constant() != null && names.contains(f.name()) && !imported.contains(s)) {
                    Definition d = fingerprinter.define(s);
                    rows.add(new SymbolTable.Entry(s, d.fingerprint(), LinkTargets.ABI, d));
                }
            }
        }
        return rows;
    }

    /** The entry class must implement {@code LoadableModule} and have the init constructor. */
    public static List<LinkProblem> checkEntry(ModuleImage image, TypeWorld own) {
        List<LinkProblem> out = new ArrayList<>();
        ClassModel entry = image.entry();
        String site = image.entryName();
        TypeInfo info = own.find(site).orElseThrow();
        if (!implementsEntryInterface(info, own)) {
            out.add(new LinkProblem(LinkProblem.Kind.UNRESOLVED, site, ENTRY_INTERFACE,
                    "which the @DriverModule class must implement (its close() is the module's exit)"));
        }
        boolean hasInit = info.method("<init>", INIT_DESCRIPTOR).filter(m -> info.isPublic()
                && entry.methods().stream().anyMatch(mm -> mm.methodName().equalsString("<init>")
                        && mm.methodType().equalsString(INIT_DESCRIPTOR)
                        && mm.flags().has(java.lang.reflect.AccessFlag.PUBLIC))).isPresent();
        if (!hasInit) {
            out.add(new LinkProblem(LinkProblem.Kind.UNRESOLVED, site, site + "#<init>" + INIT_DESCRIPTOR,
                    "the public constructor taking a ModuleContext that is the module's init; the class must be public"));
        }
        if (info.isPublic() && (entry.flags().has(java.lang.reflect.AccessFlag.ABSTRACT))) {
            out.add(new LinkProblem(LinkProblem.Kind.UNRESOLVED, site, site, "which is abstract; the @DriverModule class must be concrete"));
        }
        return out;
    }

    private static boolean implementsEntryInterface(TypeInfo t, TypeWorld own) {
        if (t.interfaces().contains(ENTRY_INTERFACE)) {
            return true;
        }
        for (String i : t.interfaces()) {
            if (own.find(i).map(x -> implementsEntryInterface(x, own)).orElse(false)) {
                return true;
            }
        }
        return t.superName() != null && own.find(t.superName()).map(s -> implementsEntryInterface(s, own)).orElse(false);
    }

    /** A hash of the module's class files, like Linux's srcversion: tells two builds apart. */
    static String srcversion(JarContents module) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            new TreeMap<>(module.classes()).forEach((k, v) -> {
                md.update(k.getBytes(StandardCharsets.UTF_8));
                md.update(v);
            });
            return HexFormat.of().withUpperCase().formatHex(md.digest(), 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.jdm.host.module;

import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import dev.jdm.symvers.AbiModel;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.JdkPolicy;
import dev.jdm.symvers.LinkProblem;
import dev.jdm.symvers.LinkTargets;
import dev.jdm.symvers.ModInfo;
import dev.jdm.symvers.ModuleExports;
import dev.jdm.symvers.ModuleImage;
import dev.jdm.symvers.ModuleScanner;
import dev.jdm.symvers.Modpost;
import dev.jdm.symvers.Symbol;
import dev.jdm.symvers.SymbolTable;
import dev.jdm.symvers.SymversException;
import dev.jdm.symvers.stability.Generation;
import dev.jdm.symvers.stability.ReleasedAbi;
import dev.jdm.symvers.stability.Revocations;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Checks a module before any of its code runs: format, ABI generation, a rescan of its bytecode
 * (the versions table is never trusted to say what is imported), and the fingerprint of every
 * import against the host's export table.
 */
public final class Linker {
    private final ExportTable exports;
    private final JdkPolicy policy = new JdkPolicy();
    private static final JdkPolicy NATIVE_POLICY = JdkPolicy.forNativeCode();
    private final Consumer<String> warn;

    /**
     * What linking established.
     *
     * @param entryClass binary name of the {@code @DriverModule} class
     * @param exports the module's own exports, computed from its classes
     * @param imports number of imported symbols checked
     * @param mismatches fingerprint mismatches accepted because of force
     * @param generation the ABI generation the module was built against
     * @param fromBaseline imports whose fingerprint was found in the released baseline of that
     *     generation rather than in the current ABI (the check that guards releases vouches for them)
     * @param optionalMissing imports of a module built against a newer generation than this host's,
     *     above its stated minimum, that this host lacks: the module probes before using them
     * @param compatible imports whose definition differs from the host's only in facts this module
     *     cannot depend on ({@code Compatibility}'s rules)
     */
    public record Linked(String entryClass, ModuleExports exports, int imports, int mismatches, Generation generation, int fromBaseline,
            int optionalMissing, int compatible) {}

    /** @param warn receives one line per accepted (forced) mismatch */
    public Linker(ExportTable exports, Consumer<String> warn) {
        this.exports = exports;
        this.warn = warn;
    }

    /** The host's export table. */
    public ExportTable exportTable() {
        return exports;
    }

    /** Step 1: the module's modinfo, or ENOEXEC saying what is wrong with it. */
    public ModInfo readModInfo(JarContents jar, String origin) {
        byte[] modinfo = jar.metadata().get("modinfo");
        if (modinfo == null) {
            throw new HostException(Errno.ENOEXEC, origin + ": no META-INF/jdm/modinfo; not a jdm module (build it with jdm-maven-plugin's modpost goal)");
        }
        try {
            return ModInfo.parse(modinfo, origin);
        } catch (SymversException e) {
            throw ModuleManager.noexec(origin, e);
        }
    }

    /**
     * Steps 2 and 4: generation, bytecode rescan and fingerprints.
     *
     * @param dependencies exports of the (already loaded) dependencies
     * @param force accept fingerprint mismatches, reporting each
     */
    public Linked link(JarContents jar, String origin, ModInfo info, List<ModuleExports> dependencies, boolean force) {
        String name = info.name();
        if (!jar.nativeCode().isEmpty() && !info.declaresNativeCode()) {
            throw new HostException(Errno.ENOEXEC, name + ": carries native code (" + String.join(", ", jar.nativeCode().keySet())
                    + ") without declaring it (@DriverModule(nativeCode = true), modinfo native=y)");
        }
        ReleasedAbi released = exports.released();
        Generation generation = builtFor(name, info, released);
        ModuleImage image;
        ModuleScanner scanner;
        ModuleScanner.Result scan;
        try {
            image = ModuleImage.of(jar);
            scanner = new ModuleScanner(image.models(), LinkTargets.of(exports.abi(), dependencies),
                    info.declaresNativeCode() ? NATIVE_POLICY : policy);
            scan = scanner.scan();
        } catch (SymversException e) {
            throw ModuleManager.noexec(origin, e);
        }
        List<LinkProblem> problems = new ArrayList<>(scan.problems());
        problems.addAll(Modpost.checkEntry(image, scanner.ownTypes()));
        refuseRevoked(name, released.revocations(), problems, scan.imports().keySet());
        boolean optional = builtAgainst(name, info, generation).isAfter(released.current());
        if (optional) {
            // newer than this host, but it says it runs here: what this host lacks is optional (modpost
            // checked that it exists in the generation it was built against); VersionsCheck counts them
            problems.removeIf(p -> p.kind() == LinkProblem.Kind.UNKNOWN_SYMBOL && AbiModel.inAbiPackage(p.reference()));
        }
        if (!problems.isEmpty()) {
            LinkProblem first = problems.getFirst();
            throw new HostException(Errno.ENOEXEC, name + ": " + first.message()
                    + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problem(s))" : ""));
        }
        if (!image.entryName().equals(info.first("entry").orElse(""))) {
            throw new HostException(Errno.ENOEXEC, name + ": modinfo names entry " + info.first("entry").orElse("?") + ", but the @DriverModule class is "
                    + image.entryName() + "; the modinfo is stale, rebuild the module");
        }
        SymbolTable versions = versions(jar, origin, name);
        VersionsCheck.Counts counts = new VersionsCheck(name, versions, exports, released.baseline(generation), force, warn)
                .check(scanner, scan, optional);
        ModuleExports own = ModuleExports.compute(name, exports.abi(), scanner.ownTypes());
        for (Symbol s : own.definitions().keySet()) {
            exports.get(s).ifPresent(clash -> {
                throw new HostException(Errno.EEXIST, name + ": exports " + s + ", which " + clash.provider() + " already exports");
            });
        }
        return new Linked(image.entryName(), own, scan.imports().size(), counts.mismatches(), generation, counts.fromBaseline(),
                counts.optionalMissing(), counts.compatible());
    }

    /** The generation a module was compiled against: modinfo {@code built=}, or its minimum if it has none. */
    private static Generation builtAgainst(String name, ModInfo info, Generation minimum) {
        var built = info.first("built");
        if (built.isEmpty()) {
            return minimum;
        }
        try {
            Generation g = Generation.parse(built.get());
            if (minimum.isAfter(g)) {
                throw new HostException(Errno.ENOEXEC, name + ": modinfo says it runs on " + minimum + " but was built against the older " + g);
            }
            return g;
        } catch (SymversException e) {
            throw new HostException(Errno.ENOEXEC, name + ": modinfo built=: " + e.getMessage() + "; rebuild the module with modpost");
        }
    }

    /**
     * The generation a module was built against, if this host serves it: its own, or a released
     * one before it. A newer one is refused naming what the host lacks.
     */
    private static Generation builtFor(String name, ModInfo info, ReleasedAbi released) {
        Generation generation;
        try {
            generation = Generation.parse(info.first("abi").orElse(""));
        } catch (SymversException e) {
            throw new HostException(Errno.ENOEXEC, name + ": modinfo abi=: " + e.getMessage() + "; rebuild the module with modpost");
        }
        if (generation.isAfter(released.current())) {
            throw new HostException(Errno.ENOEXEC, name + ": needs ABI generation " + generation + ", which this host lacks (it serves "
                    + released.current() + " and older); load it on a newer host, or build it against " + released.current());
        }
        if (!released.serves(generation)) {
            throw new HostException(Errno.ENOEXEC, name + ": built for ABI generation " + generation + ", which was never released (this host serves "
                    + released.current() + " and the released " + released.baselines().stream().map(b -> b.generation().toString()).toList()
                    + "); rebuild the module against a released jdm-abi");
        }
        return generation;
    }

    /** A revoked symbol is refused with its advisory, before the generic "unknown symbol". */
    private static void refuseRevoked(String name, Revocations revocations, List<LinkProblem> problems, java.util.Set<Symbol> imports) {
        for (Symbol s : imports) {
            revocations.get(s).ifPresent(r -> {
                throw new HostException(Errno.ENOEXEC, r.refusal(name));
            });
        }
        for (LinkProblem p : problems) {
            if (p.kind() != LinkProblem.Kind.UNKNOWN_SYMBOL) {
                continue;
            }
            try {
                revocations.get(Symbol.parse(p.reference())).ifPresent(r -> {
                    throw new HostException(Errno.ENOEXEC, r.refusal(name) + " (referenced from " + p.site() + ")");
                });
            } catch (IllegalArgumentException notASymbol) {
                // a class name, not a member: cannot be a revoked member
            }
        }
    }

    private static SymbolTable versions(JarContents jar, String origin, String name) {
        byte[] bytes = jar.metadata().get("versions");
        if (bytes == null) {
            throw new HostException(Errno.ENOEXEC, name + ": no META-INF/jdm/versions; rebuild the module with modpost");
        }
        try {
            return SymbolTable.parse(bytes, origin + "!META-INF/jdm/versions");
        } catch (SymversException e) {
            throw ModuleManager.noexec(origin, e);
        }
    }

    /** Step 5: a class loader that sees the module, the ABI, the JDK and the dependencies' exports. */
    ModuleClassLoader classLoader(ModInfo info, JarContents jar, List<ModuleClassLoader> depLoaders, List<ModuleExports> depExports) {
        Map<String, byte[]> classes = new HashMap<>();
        jar.classes().forEach((k, v) -> classes.put(k.replace('/', '.'), v));
        Map<String, ClassLoader> depTypes = new HashMap<>();
        for (int i = 0; i < depLoaders.size(); i++) {
            ModuleClassLoader l = depLoaders.get(i);
            depExports.get(i).types().names().forEach(t -> depTypes.put(t, l));
        }
        return new ModuleClassLoader(info.name(), info.first("version").orElse(""), Map.copyOf(classes),
                dev.jdm.abi.ModuleContext.class.getClassLoader(), Map.copyOf(depTypes), jar.nativeCode()); // non-empty only for a module that declares native code: link refused the others

    }
}

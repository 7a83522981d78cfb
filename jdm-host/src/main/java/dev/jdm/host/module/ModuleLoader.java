package dev.jdm.host.module;

import dev.jdm.abi.AbiInfo;
import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.ModInfo;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Resolves, links and defines a module, short of running it: reads its modinfo, lets the services
 * check the load, resolves its dependencies, checks every import ({@link Linker}) and defines its
 * class loader and context. Nothing of the module has run when this returns.
 */
final class ModuleLoader {
    /** Brings in a dependency (loading it first if need be) and returns it live. */
    interface Dependencies {
        /** @param requester the load that needs it: a dependency runs where its user runs */
        LoadedModule resolve(String module, String dependency, Deque<String> chain, ModuleService.LoadRequest requester);
    }

    /** A module ready to run: not yet in the table, its init not yet called. */
    record Prepared(LoadedModule module, Linker.Linked linked, List<LoadedModule> dependencies, ModuleService.LoadRequest request) {}

    private final Linker linker;
    private final AbiInfo abiInfo;
    private final ModuleServices services;
    private final HostTaints taints;
    private final ModuleTable table;

    ModuleLoader(Linker linker, ModuleServices services, HostTaints taints, ModuleTable table) {
        this.linker = linker;
        this.abiInfo = new HostAbiInfo(linker.exportTable());
        this.services = services;
        this.taints = taints;
        this.table = table;
    }

    /** @param as the name to load it under instead of its own ({@code modprobe -o}), or null */
    Prepared prepare(JarContents jar, String origin, String as, java.util.Map<String, String> params, boolean force, Deque<String> chain,
            Dependencies dependencies) {
        ModInfo own = linker.readModInfo(jar, origin);
        ModInfo info;
        try {
            info = as == null ? own : own.withName(as);
        } catch (IllegalArgumentException e) {
            throw new HostException(Errno.EINVAL, own.name() + ": cannot load it as " + e.getMessage());
        }
        String name = info.name();
        ModuleService.LoadRequest request = services.request(info, origin, params, force);
        services.checkLoad(request);
        Optional<LoadedModule> existing = table.get(name);
        if (existing.isPresent()) {
            throw ModuleTable.alreadyLoaded(existing.get());
        }
        if (chain.contains(name)) {
            throw cycle(name, chain, name);
        }
        chain.push(name);
        try {
            List<LoadedModule> deps = new ArrayList<>();
            for (String dep : info.depends()) {
                deps.add(dependencies.resolve(name, dep, chain, request));
            }
            Linker.Linked linked = linker.link(jar, origin, info, deps.stream().map(d -> d.exports).toList(), force);
            return new Prepared(define(jar, origin, info, linked, deps), linked, deps, request);
        } finally {
            chain.pop();
        }
    }

    static HostException cycle(String module, Deque<String> chain, String dep) {
        List<String> cycle = new ArrayList<>(chain.reversed());
        cycle.add(dep);
        return new HostException(Errno.ELOOP, module + ": dependency cycle: " + String.join(" -> ", cycle));
    }

    private LoadedModule define(JarContents jar, String origin, ModInfo info, Linker.Linked linked, List<LoadedModule> deps) {
        String name = info.name();
        Function<String, Optional<ModuleContextImpl>> contexts = n -> table.get(n).map(m -> m.context);
        ModuleContextImpl context = new ModuleContextImpl(name, abiInfo, contexts);
        ModuleClassLoader loader = linker.classLoader(info, jar, deps.stream().map(d -> d.loader).toList(),
                deps.stream().map(d -> d.exports).toList());
        context.bind(loader);
        EnumSet<Taint> earned = taints.earnedBy(info, origin, linked.mismatches() > 0);
        long codeSize = jar.classes().values().stream().mapToLong(b -> b.length).sum();
        return new LoadedModule(info, origin, codeSize, info.depends(), context, loader, linked.exports(), earned);
    }

    /** The line the log gets for a module that loaded. */
    static String describe(LoadedModule m, Linker.Linked linked) {
        return m.name() + ": loaded from " + m.origin() + " (" + linked.generation() + ", " + linked.imports() + " imports checked"
                + (linked.fromBaseline() > 0 ? ", " + linked.fromBaseline() + " as released in " + linked.generation() : "")
                + (linked.optionalMissing() > 0 ? ", " + linked.optionalMissing() + " optional not served here" : "")
                + (linked.compatible() > 0 ? ", " + linked.compatible() + " changed compatibly" : "")
                + (linked.mismatches() > 0 ? ", " + linked.mismatches() + " mismatches FORCED" : "") + ")";
    }
}

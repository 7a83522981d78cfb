package dev.jdm.host.module;

import dev.jdm.abi.AbiInfo;
import dev.jdm.abi.Params;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.ModInfo;
import dev.jdm.symvers.ModuleExports;
import java.util.List;
import java.util.Map;

/**
 * A module read, linked and defined outside a {@link ModuleManager}, for a process that runs
 * modules without the host's table (an isolated domain): the same modinfo, generation, bytecode
 * and fingerprint checks ({@link Linker}), the same parameter checks, the same class loader.
 *
 * @param loader the module's own class loader (named {@code jdm-module-NAME@VERSION})
 */
public record ModuleDefinition(ModInfo info, Linker.Linked linked, ClassLoader loader, Params params, AbiInfo abi) {
    /**
     * @throws dev.jdm.host.HostException with the errno and one line, as a host load would
     */
    public static ModuleDefinition define(Linker linker, JarContents jar, String origin, Map<String, String> params, boolean force) {
        return define(linker, jar, origin, params, force, dep -> java.util.Optional.empty());
    }

    /**
     * The same for a module with dependencies, which must be defined in this process already:
     * {@code defined} finds them by name (the host loads a dependency into its user's domain first).
     */
    public static ModuleDefinition define(Linker linker, JarContents jar, String origin, Map<String, String> params, boolean force,
            java.util.function.Function<String, java.util.Optional<ModuleDefinition>> defined) {
        ModInfo info = linker.readModInfo(jar, origin);
        List<ModuleDefinition> deps = new java.util.ArrayList<>();
        for (String d : info.depends()) {
            deps.add(defined.apply(d).orElseThrow(() -> new dev.jdm.host.HostException(dev.jdm.errno.Errno.ENOENT, info.name()
                    + ": depends on " + d + ", which is not loaded in this domain")));
        }
        List<ModuleExports> exports = deps.stream().map(d -> d.linked().exports()).toList();
        Linker.Linked linked = linker.link(jar, origin, info, exports, force);
        ModuleParams checked = new ModuleParams(info, params);
        ModuleClassLoader loader = linker.classLoader(info, jar, deps.stream().map(d -> (ModuleClassLoader) d.loader()).toList(), exports);
        return new ModuleDefinition(info, linked, loader, checked, new HostAbiInfo(linker.exportTable()));
    }
}

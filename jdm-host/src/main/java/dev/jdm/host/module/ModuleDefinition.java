package dev.jdm.host.module;

import dev.jdm.abi.AbiInfo;
import dev.jdm.abi.Params;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.ModInfo;
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
        ModInfo info = linker.readModInfo(jar, origin);
        if (!info.depends().isEmpty()) {
            throw new dev.jdm.host.HostException(dev.jdm.errno.Errno.EOPNOTSUPP, info.name() + ": depends on "
                    + String.join(", ", info.depends()) + "; a module with dependencies cannot run in an isolated domain yet");
        }
        Linker.Linked linked = linker.link(jar, origin, info, List.of(), force);
        ModuleParams checked = new ModuleParams(info, params);
        ModuleClassLoader loader = linker.classLoader(info, jar, List.of(), List.of());
        return new ModuleDefinition(info, linked, loader, checked, new HostAbiInfo(linker.exportTable()));
    }
}

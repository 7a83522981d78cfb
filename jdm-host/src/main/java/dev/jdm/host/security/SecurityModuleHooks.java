package dev.jdm.host.security;

import dev.jdm.abi.sec.ModuleOp;
import dev.jdm.abi.sec.SecurityRegistrar;
import dev.jdm.host.HostException;
import dev.jdm.host.HostException.Code;
import dev.jdm.host.module.LoadedModule;
import dev.jdm.host.module.ModuleHooks;
import dev.jdm.symvers.ModInfo;
import java.util.Map;

/**
 * The security framework in the module manager: module_load and module_unload checks for the
 * calling task, a registrar per module, and draining instead of unloading while tasks hold a
 * security module.
 */
final class SecurityModuleHooks implements ModuleHooks {
    private final Security security;

    SecurityModuleHooks(Security security) {
        this.security = security;
    }

    @Override
    public void beforeLoad(ModInfo info, String origin, Map<String, String> params, boolean force) {
        security.checkModuleLoad(security.caller(), new ModuleOp(info.name(), info.first("version").orElse(""), origin, Map.copyOf(params), force));
    }

    @Override
    public void checkUnload(LoadedModule module, boolean force) {
        security.checkModuleUnload(security.caller(), new ModuleOp(module.name(), module.info().first("version").orElse(""), module.origin(),
                Map.of(), force));
        StackedModule m = stacked(module);
        if (m != null && security.stack().locked()) {
            throw new HostException(Code.EPERM, module.name() + ": security module unload refused: security.stack_locked=1"
                    + " (no security module loads or unloads until the host restarts)");
        }
    }

    @Override
    public boolean holdUnload(LoadedModule module) {
        StackedModule m = stacked(module);
        if (m == null || m.state == StackedModule.State.GONE) {
            return false;
        }
        m.unloading = module;
        boolean held = security.stack().drain(m);
        if (held) {
            security.info(m.name + ": security module draining: " + m.refs.get() + " task(s) hold it");
        } else {
            m.unloading = null; // the manager unloads it now; nothing to release later
            security.released(m);
        }
        return held;
    }

    @Override
    public SecurityRegistrar registrar(String module, boolean permissive) {
        return new Registrar(security, module, permissive);
    }

    @Override
    public void gone(LoadedModule module) {
        StackedModule m = stacked(module);
        if (m != null && m.state != StackedModule.State.GONE) {
            security.stack().gone(m);
            m.unloading = null;
            security.released(m);
        }
    }

    private static StackedModule stacked(LoadedModule module) {
        return module.securityRegistrar() instanceof Registrar r ? r.stacked() : null;
    }
}

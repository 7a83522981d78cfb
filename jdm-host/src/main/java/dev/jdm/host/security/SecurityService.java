package dev.jdm.host.security;

import dev.jdm.abi.sec.ModuleOp;
import dev.jdm.abi.sec.SecurityRegistrar;
import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import dev.jdm.host.module.LoadedModule;
import dev.jdm.host.module.ModuleService;
import dev.jdm.host.module.ModuleSite;
import java.util.Map;
import java.util.Set;

/**
 * The security framework as modules meet it: module_load and module_unload checks for the calling
 * task, a registrar per module (in the mode its {@code mode=} host parameter chose), and draining
 * instead of unloading while tasks hold a security module.
 */
final class SecurityService implements ModuleService<SecurityRegistrar> {
    /** The host's load parameter for security modules, never the module's own. */
    static final String MODE = "mode";

    private final Security security;

    SecurityService(Security security) {
        this.security = security;
    }

    @Override
    public Class<SecurityRegistrar> face() {
        return SecurityRegistrar.class;
    }

    @Override
    public Set<String> hostParams() {
        return Set.of(MODE);
    }

    @Override
    public void checkLoad(LoadRequest r) {
        permissive(r.info().name(), r.hostParams().get(MODE));
        security.checkModuleLoad(security.caller(), new ModuleOp(r.info().name(), r.info().first("version").orElse(""), r.origin(),
                Map.copyOf(r.params()), r.force()));
    }

    private static boolean permissive(String module, String mode) {
        if (mode == null || mode.equals("enforcing")) {
            return false;
        }
        if (mode.equals("permissive")) {
            return true;
        }
        throw new HostException(Errno.EINVAL, module + ": mode=" + mode + ": the security mode is enforcing or permissive");
    }

    @Override
    public void checkUnload(LoadedModule module, boolean force) {
        security.checkModuleUnload(security.caller(), new ModuleOp(module.name(), module.info().first("version").orElse(""), module.origin(),
                Map.of(), force));
        StackedModule m = stacked(module);
        if (m != null && security.stack().locked()) {
            throw new HostException(Errno.EPERM, module.name() + ": security module unload refused: security.stack_locked=1"
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
    public Attachment<SecurityRegistrar> attach(ModuleSite module) {
        Registrar registrar = new Registrar(security, module.name(), permissive(module.name(), module.hostParam(MODE).orElse(null)));
        return new Attachment<>() {
            @Override
            public SecurityRegistrar face() {
                return registrar;
            }

            @Override
            public void going() {
                StackedModule m = registrar.stacked();
                if (m != null && m.state != StackedModule.State.GONE) {
                    security.stack().gone(m);
                    m.unloading = null;
                    security.released(m);
                }
            }

            @Override
            public void detach(Detach why) {}
        };
    }

    private static StackedModule stacked(LoadedModule module) {
        return module.attached(SecurityRegistrar.class).orElse(null) instanceof Registrar r ? r.stacked() : null;
    }
}

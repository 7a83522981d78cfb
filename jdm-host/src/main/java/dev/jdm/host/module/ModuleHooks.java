package dev.jdm.host.module;

import dev.jdm.abi.sec.SecurityRegistrar;
import dev.jdm.symvers.ModInfo;
import java.util.Map;

/**
 * What another subsystem (the security framework) adds to a module's life. The manager calls these
 * under its module lock; an implementation must not call back into the manager from them.
 */
public interface ModuleHooks {
    /** {@code module_load}: before anything of the module runs, for dependencies too. Throw to refuse. */
    void beforeLoad(ModInfo info, String origin, Map<String, String> params, boolean force);

    /** {@code module_unload}: throw to refuse. */
    void checkUnload(LoadedModule module, boolean force);

    /**
     * Whether something outside the manager still holds the module (tasks holding a security
     * module): the manager then slates it, and unloads it when {@link ModuleManager#release} is
     * called with no references left.
     */
    boolean holdUnload(LoadedModule module);

    /** What the module's {@code ModuleContext.security()} returns. */
    SecurityRegistrar registrar(String module, boolean permissive);

    /** The module is going (before its exit runs) or its init failed: nothing may call into it any more. */
    void gone(LoadedModule module);

    /** No hooks: no checks, and {@code security()} refuses registration. */
    ModuleHooks NONE = new ModuleHooks() {
        @Override
        public void beforeLoad(ModInfo info, String origin, Map<String, String> params, boolean force) {}

        @Override
        public void checkUnload(LoadedModule module, boolean force) {}

        @Override
        public boolean holdUnload(LoadedModule module) {
            return false;
        }

        @Override
        public SecurityRegistrar registrar(String module, boolean permissive) {
            return null;
        }

        @Override
        public void gone(LoadedModule module) {}
    };
}

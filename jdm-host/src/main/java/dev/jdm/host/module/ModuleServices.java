package dev.jdm.host.module;

import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import dev.jdm.symvers.ModInfo;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** The registered {@link ModuleService}s, asked in registration order. */
final class ModuleServices {
    private final List<ModuleService<?>> services = new CopyOnWriteArrayList<>();

    void register(ModuleService<?> service) {
        for (ModuleService<?> s : services) {
            if (s.face() == service.face()) {
                throw new IllegalStateException(service.face().getSimpleName() + " is served already by " + s.getClass().getName());
            }
        }
        services.add(service);
    }

    /**
     * What a module is about to load with: its load parameters split into its own and the host's
     * (those a service claimed, such as {@code mode=}).
     */
    ModuleService.LoadRequest request(ModInfo info, String origin, Map<String, String> params, boolean force) {
        Map<String, String> own = new LinkedHashMap<>(params);
        Map<String, String> host = new HashMap<>();
        for (ModuleService<?> s : services) {
            for (String key : s.hostParams()) {
                String v = own.remove(key);
                if (v != null) {
                    host.put(key, v);
                }
            }
        }
        return new ModuleService.LoadRequest(info, origin, java.util.Collections.unmodifiableMap(own), Map.copyOf(host), force);
    }

    void checkLoad(ModuleService.LoadRequest request) {
        services.forEach(s -> s.checkLoad(request));
    }

    void checkUnload(LoadedModule m, boolean force) {
        services.forEach(s -> s.checkUnload(m, force));
    }

    /** Whether any service still holds the module (asks every one, so each can start draining). */
    boolean holdUnload(LoadedModule m) {
        boolean held = false;
        for (ModuleService<?> s : services) {
            held |= s.holdUnload(m);
        }
        return held;
    }

    /**
     * Attaches every service to the module, in order. If one refuses, the refusal is thrown; those
     * attached already stay on the context, for the manager's unwind to detach.
     */
    void attachAll(LoadedModule m, ModuleSite site) {
        for (ModuleService<?> s : services) {
            try {
                m.context.attach(s.face(), s.attach(site));
            } catch (RuntimeException e) {
                throw e instanceof HostException ? e : new HostException(Errno.EINVAL, m.name() + ": " + e.getMessage(), e);
            }
        }
    }
}

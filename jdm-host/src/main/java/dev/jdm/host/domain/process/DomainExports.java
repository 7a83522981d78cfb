package dev.jdm.host.domain.process;

import dev.jdm.abi.Export;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the modules of this domain offer each other ({@code ModuleContext.export}/{@code lookup}),
 * with the host's rules: a module offers only its own {@code @Export} types, once each; a user
 * finds an implementation by the type its dependency's class loader defined. A module's offers go
 * when it unloads.
 */
final class DomainExports {
    private record Offer(String module, Object impl) {}

    private final Map<Class<?>, Offer> offered = new ConcurrentHashMap<>();

    <T> void export(String module, ClassLoader own, Class<T> api, T impl) {
        if (api.getClassLoader() != own || !api.isAnnotationPresent(Export.class)) {
            throw new IllegalArgumentException(module + ": export(" + api.getName() + "): only this module's own @Export types can be offered");
        }
        if (!api.isInstance(impl)) {
            throw new IllegalArgumentException(module + ": export(" + api.getName() + "): the implementation is a " + impl.getClass().getName());
        }
        if (offered.putIfAbsent(api, new Offer(module, impl)) != null) {
            throw new IllegalStateException(module + ": " + api.getName() + " is already exported");
        }
    }

    <T> Optional<T> lookup(Class<T> api) {
        return Optional.ofNullable(offered.get(api)).map(o -> api.cast(o.impl()));
    }

    void forget(String module) {
        offered.values().removeIf(o -> o.module().equals(module));
    }
}

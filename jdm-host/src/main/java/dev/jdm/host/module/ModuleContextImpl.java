package dev.jdm.host.module;

import dev.jdm.abi.Export;
import dev.jdm.abi.AbiInfo;
import dev.jdm.abi.Log;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.Params;
import dev.jdm.abi.blk.BlockLayer;
import dev.jdm.abi.sec.SecurityRegistrar;
import dev.jdm.host.mem.ModuleKmem;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** What a module gets at init; its exports live here until the module goes. */
final class ModuleContextImpl implements ModuleContext {
    private final String name;
    private final ModuleParams params;
    private final Log log;
    private final ModuleKmem kmem;
    private final Function<String, Optional<ModuleContextImpl>> contexts;
    private final Map<Class<?>, Object> offered = new ConcurrentHashMap<>();
    private final java.util.function.BiFunction<String, Params, BlockLayer> blockLayers;
    private BlockLayer block;
    private ClassLoader loader;
    private SecurityRegistrar security;
    private final AbiInfo abi;
    private volatile boolean dead;

    ModuleContextImpl(String name, ModuleParams params, Log log, ModuleKmem kmem, AbiInfo abi,
            Function<String, Optional<ModuleContextImpl>> contexts, java.util.function.BiFunction<String, Params, BlockLayer> blockLayers) {
        this.name = name;
        this.abi = abi;
        this.blockLayers = blockLayers;
        this.params = params;
        this.log = log;
        this.kmem = kmem;
        this.contexts = contexts;
    }

    void bind(ClassLoader moduleLoader) {
        this.loader = moduleLoader;
    }

    void bindSecurity(SecurityRegistrar registrar) {
        this.security = registrar;
    }

    /** The registrar as bound, for the security framework (null without one). */
    SecurityRegistrar registrar() {
        return security;
    }

    @Override
    public SecurityRegistrar security() {
        checkAlive();
        if (security == null) {
            throw new IllegalStateException(name + ": this host has no security framework");
        }
        return security;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Params params() {
        return params;
    }

    ModuleParams moduleParams() {
        return params;
    }

    @Override
    public Log log() {
        return log;
    }

    @Override
    public ModuleKmem kmem() {
        return kmem;
    }

    @Override
    public <T> void export(Class<T> api, T impl) {
        checkAlive();
        if (api.getClassLoader() != loader || !api.isAnnotationPresent(Export.class)) {
            throw new IllegalArgumentException(name + ": export(" + api.getName() + "): only this module's own @Export types can be offered");
        }
        if (!api.isInstance(impl)) {
            throw new IllegalArgumentException(name + ": export(" + api.getName() + "): the implementation is a " + impl.getClass().getName());
        }
        if (offered.putIfAbsent(api, impl) != null) {
            throw new IllegalStateException(name + ": " + api.getName() + " is already exported");
        }
    }

    @Override
    public <T> Optional<T> lookup(Class<T> api) {
        checkAlive();
        if (!(api.getClassLoader() instanceof ModuleClassLoader exporter)) {
            return Optional.empty();
        }
        return contexts.apply(exporter.module()).map(c -> c.offered.get(api)).map(api::cast);
    }

    @Override
    public synchronized BlockLayer block() {
        checkAlive();
        if (block == null) {
            block = blockLayers.apply(name, params);
        }
        return block;
    }

    @Override
    public AbiInfo abi() {
        checkAlive();
        return abi;
    }

    /** The adapters the module's services use for its older ABI shapes. */
    synchronized java.util.Set<String> adapters() {
        return block instanceof AbiAdapters a ? a.adapters() : java.util.Set.of();
    }

    private void checkAlive() {
        if (dead) {
            throw new IllegalStateException(name + ": module context used after the module was unloaded");
        }
    }

    /** Ends the context: exports vanish and further calls fail. */
    void kill() {
        dead = true;
        offered.clear();
        BlockLayer b;
        synchronized (this) {
            b = block;
            block = null;
        }
        if (b instanceof AutoCloseable c) { // LUs and grants the module left behind
            try {
                c.close();
            } catch (Exception e) {
                log.err("releasing block registrations failed: " + e);
            }
        }
    }
}

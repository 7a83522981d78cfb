package dev.jdm.host.module;

import dev.jdm.abi.AbiInfo;
import dev.jdm.abi.Export;
import dev.jdm.abi.Log;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.Params;
import dev.jdm.abi.blk.BlockLayer;
import dev.jdm.abi.chr.CharLayer;
import dev.jdm.abi.hw.HwLayer;
import dev.jdm.abi.mem.Kmem;
import dev.jdm.abi.sec.SecurityRegistrar;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What a module gets at init. Each ABI accessor is the face of the service attached for its type
 * ({@link ModuleService}); the context itself keeps only what is the module loader's own: the
 * module's exports to other modules, and the ABI description.
 */
final class ModuleContextImpl implements ModuleContext {
    private final String name;
    private final AbiInfo abi;
    private final Function<String, Optional<ModuleContextImpl>> contexts;
    private final Map<Class<?>, Object> offered = new ConcurrentHashMap<>();
    /**
     * In attach order; detached in reverse. Replaced whole on each attach (there are a handful), so
     * that lsmod, which may read a coming module's footprint, never sees a map being written.
     */
    private volatile Map<Class<?>, ModuleService.Attachment<?>> attached = Map.of();
    private ClassLoader loader;
    private volatile boolean dead;

    ModuleContextImpl(String name, AbiInfo abi, Function<String, Optional<ModuleContextImpl>> contexts) {
        this.name = name;
        this.abi = abi;
        this.contexts = contexts;
    }

    void bind(ClassLoader moduleLoader) {
        this.loader = moduleLoader;
    }

    void attach(Class<?> face, ModuleService.Attachment<?> attachment) {
        Map<Class<?>, ModuleService.Attachment<?>> next = new LinkedHashMap<>(attached);
        next.put(face, attachment);
        attached = java.util.Collections.unmodifiableMap(next);
    }

    /** The face of the service attached for {@code type}, if one is. */
    <T> Optional<T> attachedFace(Class<T> type) {
        ModuleService.Attachment<?> a = attached.get(type);
        return a == null ? Optional.empty() : Optional.of(type.cast(a.face()));
    }

    private <T> T face(Class<T> type) {
        checkAlive();
        return attachedFace(type).orElseThrow(() -> new IllegalStateException(name + ": this host serves no " + type.getSimpleName()));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Params params() {
        return face(Params.class);
    }

    @Override
    public Log log() {
        return face(Log.class);
    }

    @Override
    public Kmem kmem() {
        return face(Kmem.class);
    }

    @Override
    public BlockLayer block() {
        return face(BlockLayer.class);
    }

    @Override
    public CharLayer chr() {
        return face(CharLayer.class);
    }

    @Override
    public HwLayer hw() {
        return face(HwLayer.class);
    }

    @Override
    public SecurityRegistrar security() {
        return face(SecurityRegistrar.class);
    }

    @Override
    public AbiInfo abi() {
        checkAlive();
        return abi;
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

    /** The adapters the module's services use for its older ABI shapes. */
    Set<String> adapters() {
        Set<String> all = new TreeSet<>();
        attached.values().forEach(a -> all.addAll(a.adapters()));
        return all;
    }

    /** Memory the module holds through its services now. */
    long footprint() {
        return attached.values().stream().mapToLong(ModuleService.Attachment::footprint).sum();
    }

    private void checkAlive() {
        if (dead) {
            throw new IllegalStateException(name + ": module context used after the module was unloaded");
        }
    }

    /** The module starts going: every service stops calling into it. */
    void going() {
        attached.values().forEach(ModuleService.Attachment::going);
    }

    /**
     * Ends the context: exports vanish, further calls fail, and every service detaches, last
     * attached first (block before the grants it uses).
     *
     * @return one line per service whose detach failed; the others still detached
     */
    List<String> kill(ModuleService.Detach why) {
        dead = true;
        offered.clear();
        List<String> failures = new ArrayList<>();
        List<Map.Entry<Class<?>, ModuleService.Attachment<?>>> order = new ArrayList<>(attached.entrySet());
        for (Map.Entry<Class<?>, ModuleService.Attachment<?>> a : order.reversed()) {
            try {
                a.getValue().detach(why);
            } catch (RuntimeException e) {
                failures.add("releasing its " + a.getKey().getSimpleName() + " failed: " + e);
            }
        }
        return failures;
    }
}

package dev.jdm.host.module;

import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.LogLevel;
import dev.jdm.abi.ModuleContext;
import dev.jdm.host.HostException;
import dev.jdm.host.HostException.Code;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.log.ModuleLog;
import dev.jdm.host.mem.LeakReport;
import dev.jdm.host.mem.ModuleKmem;
import dev.jdm.host.sysctl.Sysctl;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.ModInfo;
import dev.jdm.symvers.ModuleExports;
import dev.jdm.symvers.SymversException;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Loads and unloads modules: the host's insmod and rmmod. Loading runs the {@link Linker}'s checks,
 * then init with a time limit; any failure unwinds everything. Unloading honours references: a
 * busy module is refused (EBUSY), slated ({@code --wait}), or forced (taint F).
 */
public final class ModuleManager {
    /** Outcome of an unload request. */
    public enum UnloadResult { UNLOADED, SLATED }

    private final Linker linker;
    private final HostAbiInfo abiInfo;
    private final LogRing log;
    private final Sysctl sysctl;
    private final ModuleIndex index;
    private final ReentrantLock moduleLock = new ReentrantLock();
    private final Map<String, LoadedModule> modules = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final EnumSet<Taint> hostTaints = EnumSet.noneOf(Taint.class);
    private volatile java.util.function.BiFunction<String, dev.jdm.abi.Params, dev.jdm.abi.blk.BlockLayer> blockLayers = (m, p) -> {
        throw new UnsupportedOperationException(m + ": this host has no block layer");
    };
    /** Modules replaced under their own name that still drain; out of {@code modules}, still loaded. */
    private final Set<LoadedModule> retired = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Unloaded modules whose exit thread still runs (taint D); listed until it ends. */
    private final Set<LoadedModule> stuck = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile ModuleHooks hooks = ModuleHooks.NONE;

    public ModuleManager(Linker linker, LogRing log, Sysctl sysctl, ModuleIndex index) {
        this.linker = linker;
        this.abiInfo = new HostAbiInfo(linker.exportTable());
        this.log = log;
        this.sysctl = sysctl;
        this.index = index;
    }

    /** Sets what {@code ModuleContext.block()} gives each module (the host's block layer). */
    public void bindBlockLayers(java.util.function.BiFunction<String, dev.jdm.abi.Params, dev.jdm.abi.blk.BlockLayer> factory) {
        this.blockLayers = factory;
    }

    /** Installs the security framework's hooks (once, at host start). */
    public void setHooks(ModuleHooks hooks) {
        this.hooks = hooks;
    }

    /** The module index (bundled and user directories). */
    public ModuleIndex index() {
        return index;
    }

    /** The linker. */
    public Linker linker() {
        return linker;
    }

    /**
     * Loads a module and, first, its dependencies from the module directories.
     *
     * @param origin the file it came from, or a description
     * @param force load despite fingerprint mismatches (taints F)
     * @throws HostException with the errno and one line naming the module and the problem
     */
    public LoadedModule load(JarContents jar, String origin, Map<String, String> params, boolean force) {
        moduleLock.lock();
        try {
            requireUnlocked("load");
            return load(jar, origin, params, force, new ArrayDeque<>());
        } finally {
            moduleLock.unlock();
        }
    }

    private LoadedModule load(JarContents jar, String origin, Map<String, String> params, boolean force, Deque<String> chain) {
        ModInfo info = linker.readModInfo(jar, origin);
        String name = info.name();
        Map<String, String> own = new java.util.LinkedHashMap<>(params);
        boolean permissive = securityMode(name, own.remove("mode"));
        hooks.beforeLoad(info, origin, own, force);
        LoadedModule existing = modules.get(name);
        if (existing != null) {
            throw new HostException(Code.EEXIST, name + ": a module of this name is already loaded (" + existing.state().name().toLowerCase() + ", from " + existing.origin() + ")");
        }
        if (chain.contains(name)) {
            List<String> cycle = new ArrayList<>(chain.reversed());
            cycle.add(name);
            throw new HostException(Code.ELOOP, name + ": dependency cycle: " + String.join(" -> ", cycle));
        }
        chain.push(name);
        try {
            List<LoadedModule> deps = new ArrayList<>();
            for (String dep : info.depends()) {
                deps.add(dependency(name, dep, chain));
            }
            Linker.Linked linked = linker.link(jar, origin, info, deps.stream().map(d -> d.exports).toList(), force);
            ModuleParams moduleParams = new ModuleParams(info, own);
            return init(jar, origin, info, linked, deps, moduleParams, permissive);
        } finally {
            chain.pop();
        }
    }

    private LoadedModule dependency(String module, String dep, Deque<String> chain) {
        LoadedModule loaded = modules.get(dep);
        if (loaded == null) {
            if (chain.contains(dep)) {
                List<String> cycle = new ArrayList<>(chain.reversed());
                cycle.add(dep);
                throw new HostException(Code.ELOOP, module + ": dependency cycle: " + String.join(" -> ", cycle));
            }
            ModuleIndex.Entry entry = index.find(dep).orElseThrow(() -> new HostException(Code.ENOENT,
                    module + ": depends on " + dep + ", which is neither loaded nor in the module directories " + index.directories()));
            log.append(LogLevel.INFO, "host", module + ": loading dependency " + dep + " from " + entry.path());
            loaded = load(index.read(entry), entry.path().toString(), Map.of(), false, chain);
        }
        if (loaded.state() != ModuleState.LIVE) {
            throw new HostException(Code.EBUSY, module + ": depends on " + dep + ", which is " + loaded.state().name().toLowerCase());
        }
        return loaded;
    }

    /** {@code mode=} is the host's load parameter for security modules, never the module's own. */
    private static boolean securityMode(String module, String mode) {
        if (mode == null || mode.equals("enforcing")) {
            return false;
        }
        if (mode.equals("permissive")) {
            return true;
        }
        throw new HostException(Code.EINVAL, module + ": mode=" + mode + ": the security mode is enforcing or permissive");
    }

    private LoadedModule init(JarContents jar, String origin, ModInfo info, Linker.Linked linked, List<LoadedModule> deps, ModuleParams params,
            boolean permissive) {
        String name = info.name();
        ModuleKmem kmem = new ModuleKmem(name, () -> sysctl.bool("kmem.debug"), () -> sysctl.longValue("kmem.module_limit_bytes"));
        ModuleContextImpl context = new ModuleContextImpl(name, params, new ModuleLog(log, name), kmem, abiInfo,
                n -> Optional.ofNullable(modules.get(n)).map(m -> m.context), blockLayers);
        ModuleClassLoader loader = linker.classLoader(name, jar, deps.stream().map(d -> d.loader).toList(),
                deps.stream().map(d -> d.exports).toList());
        context.bind(loader);
        context.bindSecurity(hooks.registrar(name, permissive));
        EnumSet<Taint> taints = taintsFor(info, origin, linked.mismatches() > 0);
        long codeSize = jar.classes().values().stream().mapToLong(b -> b.length).sum();
        LoadedModule module = new LoadedModule(info, origin, codeSize, info.depends(), context, loader, linked.exports(), taints);
        modules.put(name, module);
        deps.forEach(d -> {
            synchronized (d) {
                d.holders.add(name);
            }
        });
        try {
            module.instance = runInit(module, linked.entryClass());
        } catch (RuntimeException e) {
            unwind(module);
            throw e;
        }
        linker.exportTable().addModule(linked.exports());
        module.state = ModuleState.LIVE;
        taint(module, taints);
        log.append(LogLevel.INFO, "host", name + ": loaded from " + origin + " (" + linked.generation() + ", " + linked.imports() + " imports checked"
                + (linked.fromBaseline() > 0 ? ", " + linked.fromBaseline() + " as released in " + linked.generation() : "")
                + (linked.optionalMissing() > 0 ? ", " + linked.optionalMissing() + " optional not served here" : "")
                + (linked.compatible() > 0 ? ", " + linked.compatible() + " changed compatibly" : "")
                + (linked.mismatches() > 0 ? ", " + linked.mismatches() + " mismatches FORCED" : "") + ")");
        return module;
    }

    private LoadableModule runInit(LoadedModule module, String entryClass) {
        String name = module.name();
        FutureTask<LoadableModule> task = new FutureTask<>(() -> {
            Class<?> entry = module.loader.loadClass(entryClass);
            Object instance = entry.getConstructor(ModuleContext.class).newInstance(module.context);
            return (LoadableModule) instance;
        });
        long timeout = sysctl.longValue("module.init_timeout_ms");
        Thread thread = Thread.ofPlatform().daemon().name("init-" + name).start(task);
        try {
            return task.get(timeout, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            thread.interrupt();
            throw new HostException(Code.ETIMEDOUT, name + ": init did not return within " + timeout
                    + " ms (sysctl module.init_timeout_ms); the module was not loaded and its thread was interrupted");
        } catch (InterruptedException e) {
            thread.interrupt();
            Thread.currentThread().interrupt();
            throw new HostException(Code.EINVAL, name + ": interrupted while waiting for init");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof InvocationTargetException ite ? ite.getCause() : e.getCause();
            if (cause instanceof HostException he) {
                throw he; // a host service refused the module during init (e.g. security.stack_locked): keep its errno
            }
            if (cause instanceof LinkageError || cause instanceof ReflectiveOperationException) {
                throw new HostException(Code.ENOEXEC, name + ": cannot instantiate the entry class: " + cause);
            }
            throw new HostException(Code.EINVAL, name + ": init failed: " + cause);
        }
    }

    /** Undoes a load that failed in init: nothing of the module may remain. */
    private void unwind(LoadedModule module) {
        hooks.gone(module);
        module.context.kill();
        LeakReport leaks = module.context.kmem().reclaim();
        if (!leaks.isEmpty()) {
            log.append(LogLevel.INFO, "host", module.name() + ": reclaimed after failed init: " + leaks.summary());
        }
        linker.exportTable().removeModule(module.name());
        modules.remove(module.name());
        for (String dep : module.dependencies()) {
            LoadedModule d = modules.get(dep);
            if (d != null) {
                synchronized (d) {
                    d.holders.remove(module.name());
                }
            }
        }
    }

    /**
     * Unloads a module.
     *
     * @param wait if busy, slate it to unload when its last reference goes
     * @param force unload even if busy (taints F)
     */
    public UnloadResult unload(String name, boolean wait, boolean force) {
        LoadedModule m;
        moduleLock.lock();
        try {
            requireUnlocked("unload");
            m = modules.get(name);
            if (m == null) {
                throw new HostException(Code.ENOENT, name + ": module is not loaded");
            }
            if (m.state() == ModuleState.COMING) {
                throw new HostException(Code.EBUSY, name + ": module is still initialising");
            }
            if (m.exiting) {
                throw new HostException(Code.EBUSY, name + ": its exit is running; it goes when exit returns or times out");
            }
            hooks.checkUnload(m, force);
            int refs = m.refcount();
            if (refs > 0 && !force) {
                if (wait) {
                    m.slated = true;
                    m.state = ModuleState.GOING;
                    log.append(LogLevel.NOTICE, "host", name + ": slated for unloading; in use by " + usedBy(m));
                    return UnloadResult.SLATED;
                }
                throw new HostException(Code.EBUSY, name + ": module is in use by: " + usedBy(m)
                        + " (use --wait to unload when free, --force to unload anyway)");
            }
            if (refs > 0) {
                taint(m, EnumSet.of(Taint.FORCED));
                log.append(LogLevel.WARNING, "host", name + ": forced unload while in use by " + usedBy(m) + "; host tainted F");
            }
            if (hooks.holdUnload(m)) {
                slate(m, "held by tasks; it keeps enforcing for them and unloads when the last one goes");
                return UnloadResult.SLATED;
            }
            beginUnload(m);
            m.exiting = true;
        } finally {
            moduleLock.unlock();
        }
        runExit(m); // module code never runs under the module lock: a spinning exit must not stall other loads
        moduleLock.lock();
        try {
            finishUnload(m);
        } finally {
            moduleLock.unlock();
        }
        return UnloadResult.UNLOADED;
    }

    private String usedBy(LoadedModule m) {
        List<String> users = new ArrayList<>(m.holders());
        synchronized (m) {
            if (m.pins > 0) {
                users.add(m.pins + " open reference(s)");
            }
        }
        return String.join(", ", users);
    }

    private void slate(LoadedModule m, String why) {
        m.slated = true;
        m.state = ModuleState.GOING;
        log.append(LogLevel.NOTICE, "host", m.name() + ": slated for unloading; " + why);
    }

    /**
     * Replaces the live module {@code oldName} with the module in {@code jar} (the same name or
     * another) with no moment in which neither is loaded: the new one loads first, then the old one
     * unloads, or drains if something outside the manager holds it. If the new one fails to load,
     * the old one stays as it was.
     */
    public LoadedModule replace(String oldName, JarContents jar, String origin, Map<String, String> params) {
        moduleLock.lock();
        try {
            requireUnlocked("replace");
            LoadedModule old = modules.get(oldName);
            if (old == null) {
                throw new HostException(Code.ENOENT, oldName + ": module is not loaded");
            }
            if (old.state() != ModuleState.LIVE) {
                throw new HostException(Code.EBUSY, oldName + ": module is " + old.state().name().toLowerCase() + ", not live");
            }
            if (!old.holders().isEmpty()) {
                throw new HostException(Code.EBUSY, oldName + ": modules depend on it (" + String.join(", ", old.holders()) + "); cannot replace");
            }
            hooks.checkUnload(old, false);
            boolean sameName = linker.readModInfo(jar, origin).name().equals(oldName);
            if (sameName) {
                modules.remove(oldName);
                retired.add(old);
                linker.exportTable().removeModule(oldName); // nobody depends on them; the name will serve the new module
            }
            LoadedModule replacement;
            try {
                replacement = load(jar, origin, params, false, new ArrayDeque<>());
            } catch (RuntimeException e) {
                if (sameName) {
                    retired.remove(old);
                    modules.put(oldName, old);
                    linker.exportTable().addModule(old.exports);
                }
                throw e;
            }
            log.append(LogLevel.INFO, "host", oldName + ": replaced by " + replacement.name() + " from " + origin);
            if (hooks.holdUnload(old)) {
                slate(old, "replaced; it drains for the tasks that hold it");
            } else {
                doUnload(old);
            }
            return replacement;
        } finally {
            moduleLock.unlock();
        }
    }

    /** Something outside the manager dropped its hold on a slated module: unload it if nothing else holds it. */
    public void release(LoadedModule m) {
        moduleLock.lock();
        try {
            boolean present = modules.get(m.name()) == m || retired.contains(m);
            if (present && m.slated && m.refcount() == 0) {
                doUnload(m);
            }
        } finally {
            moduleLock.unlock();
        }
    }

    private void doUnload(LoadedModule m) {
        beginUnload(m);
        runExit(m);
        finishUnload(m);
    }

    /** Under the module lock: no new users, security hooks detached. */
    private void beginUnload(LoadedModule m) {
        m.state = ModuleState.GOING;
        hooks.gone(m);
    }

    /** Under the module lock, after exit: context, exports, memory and registry entry go. */
    private void finishUnload(LoadedModule m) {
        String name = m.name();
        m.context.kill();
        boolean current = modules.get(name) == m;
        if (current) {
            linker.exportTable().removeModule(name);
        }
        LeakReport leaks = m.context.kmem().reclaim();
        if (!leaks.isEmpty()) {
            log.append(LogLevel.WARNING, "host", name + ": leaked " + leaks.summary() + "; reclaimed"
                    + (sysctl.bool("kmem.debug") ? "" : " (set kmem.debug=1 before loading to see allocation sites)"));
            leaks.lines().stream().limit(32).forEach(l -> log.append(LogLevel.WARNING, "host", name + ": leak: " + l));
        }
        modules.remove(name, m);
        retired.remove(m);
        log.append(LogLevel.INFO, "host", name + ": unloaded");
        for (String dep : m.dependencies()) {
            LoadedModule d = modules.get(dep);
            if (d == null) {
                continue;
            }
            synchronized (d) {
                d.holders.remove(name);
            }
            if (d.slated && d.refcount() == 0) {
                doUnload(d);
            }
        }
    }

    private void runExit(LoadedModule m) {
        LoadableModule instance = m.instance;
        if (instance == null) {
            return;
        }
        FutureTask<Void> task = new FutureTask<>(() -> {
            instance.close();
            return null;
        });
        Thread thread = Thread.ofPlatform().daemon().name("exit-" + m.name()).start(task);
        long timeout = sysctl.longValue("module.init_timeout_ms");
        try {
            task.get(timeout, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            thread.interrupt();
            markStuck(m, thread, timeout);
        } catch (ExecutionException e) {
            log.append(LogLevel.ERR, "host", m.name() + ": exit failed: " + e.getCause() + "; unloading anyway");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * An exit that outlived its time limit: the JVM cannot stop its thread, so the thread is renamed,
     * the module and host are tainted D, and lsmod lists the module (state going) until the thread ends.
     */
    private void markStuck(LoadedModule m, Thread thread, long timeout) {
        thread.setName("exit-" + m.name() + " (stuck)");
        taint(m, EnumSet.of(Taint.STUCK_EXIT));
        stuck.add(m);
        log.append(LogLevel.ERR, "host", m.name() + ": exit did not return within " + timeout + " ms (module.init_timeout_ms); "
                + "unloading anyway, but its thread " + thread.getName() + " still runs; host tainted D");
        Thread.ofVirtual().name("exit-watch-" + m.name()).start(() -> {
            try {
                thread.join();
                stuck.remove(m);
                log.append(LogLevel.NOTICE, "host", m.name() + ": the stuck exit thread ended at last");
            } catch (InterruptedException ignored) {
                // the host is stopping
            }
        });
    }

    /** Takes a reference on a live module (an open device, a task's data). */
    public void pin(String name) {
        LoadedModule m = modules.get(name);
        if (m == null || m.state() != ModuleState.LIVE) {
            throw new HostException(Code.ENOENT, name + ": module is not live");
        }
        synchronized (m) {
            m.pins++;
        }
    }

    /** Drops a reference; a slated module with none left unloads now. */
    public void unpin(String name) {
        LoadedModule m = modules.get(name);
        if (m == null) {
            return;
        }
        boolean free;
        synchronized (m) {
            if (m.pins > 0) {
                m.pins--;
            }
            free = m.slated && m.refcount() == 0;
        }
        if (free) {
            moduleLock.lock();
            try {
                if (modules.get(name) == m) {
                    doUnload(m);
                }
            } finally {
                moduleLock.unlock();
            }
        }
    }

    /** Loaded modules, by name (a replaced module that still drains comes after its successor). */
    public List<LoadedModule> list() {
        List<LoadedModule> all = new ArrayList<>(modules.values());
        all.addAll(retired);
        stuck.stream().filter(m -> !all.contains(m)).forEach(all::add);
        return List.copyOf(all);
    }

    /** A loaded module. */
    public Optional<LoadedModule> get(String name) {
        return Optional.ofNullable(modules.get(name));
    }

    /** The host's taints so far. */
    public synchronized Set<Taint> taints() {
        return Set.copyOf(hostTaints);
    }

    /** Unloads everything, dependents before their dependencies, for a clean host stop. */
    public void shutdown() {
        moduleLock.lock();
        try {
            boolean progress = true;
            for (LoadedModule m : List.copyOf(retired)) {
                doUnload(m);
            }
            while (!modules.isEmpty() && progress) {
                progress = false;
                for (LoadedModule m : List.copyOf(modules.values())) {
                    if (m.holders().isEmpty() && modules.get(m.name()) == m) {
                        doUnload(m);
                        progress = true;
                    }
                }
            }
        } finally {
            moduleLock.unlock();
        }
    }

    private EnumSet<Taint> taintsFor(ModInfo info, String origin, boolean forced) {
        EnumSet<Taint> t = EnumSet.noneOf(Taint.class);
        if (!Taint.OPEN_LICENCES.contains(info.first("license").orElse(""))) {
            t.add(Taint.PROPRIETARY);
        }
        if (!index.isBundled(origin)) {
            t.add(Taint.OUT_OF_TREE);
        }
        if (forced) {
            t.add(Taint.FORCED);
        }
        return t;
    }

    private synchronized void taint(LoadedModule m, Set<Taint> taints) {
        for (Taint t : taints) {
            m.taints.add(t);
            if (hostTaints.add(t)) {
                log.append(LogLevel.WARNING, "host", m.name() + ": " + t.description() + "; host tainted " + t.letter());
            }
        }
        sysctl.setInternal("kernel.tainted", Taint.letters(hostTaints));
    }

    private void requireUnlocked(String what) {
        if (sysctl.bool("module.load_locked")) {
            throw new HostException(Code.EPERM, "module " + what + " refused: module.load_locked=1 (set until the host restarts)");
        }
    }

    /** Wraps a symvers error about a module file as ENOEXEC. */
    static HostException noexec(String origin, SymversException e) {
        return new HostException(Code.ENOEXEC, e.getMessage().startsWith(origin) ? e.getMessage() : origin + ": " + e.getMessage(), e);
    }
}

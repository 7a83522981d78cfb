package dev.jdm.host.module;

import dev.jdm.abi.LogLevel;
import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.sysctl.Sysctl;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.SymversException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The host's insmod, rmmod and replace. It orders the work of its parts: the {@link ModuleLoader}
 * resolves, links and defines; the {@link ModuleTable} holds names and states; the
 * {@link ModuleRunner} runs init and exit; the {@link UnloadPolicy} decides when a module may go;
 * the registered {@link ModuleService}s attach subsystems. Any failure unwinds everything.
 *
 * <p>One lock guards the table. It is never held while module code runs: a load reserves its name
 * as coming, drops the lock for init, and takes it again to publish; an unload marks the module
 * going and drops the lock for exit. Releases that arrive while the lock is held by the same thread
 * (a security module's last task leaving during a check) are deferred until that thread lets go.
 */
public final class ModuleManager {
    /** Outcome of an unload request. */
    public enum UnloadResult { UNLOADED, SLATED }

    private final Linker linker;
    private final LogRing log;
    private final Sysctl sysctl;
    private final ModuleIndex index;
    private final ModuleTable table = new ModuleTable();
    private final ModuleServices services = new ModuleServices();
    private final HostTaints taints;
    private final ModuleLoader loader;
    private final ModuleRunner runner;
    private final UnloadPolicy policy;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever a coming module becomes live or fails. */
    private final Condition settled = lock.newCondition();
    private final Deque<LoadedModule> deferredReleases = new ArrayDeque<>();
    private volatile ModulePlacement placement = ModulePlacement.COLOCATED;

    public ModuleManager(Linker linker, LogRing log, Sysctl sysctl, ModuleIndex index) {
        this.linker = linker;
        this.log = log;
        this.sysctl = sysctl;
        this.index = index;
        this.taints = new HostTaints(log, sysctl, index);
        this.loader = new ModuleLoader(linker, services, taints, table);
        this.runner = new ModuleRunner(() -> sysctl.longValue("module.init_timeout_ms"), log, taints, table);
        this.policy = new UnloadPolicy(services, taints, log);
        services.register(new ParamsService());
    }

    /**
     * Adds a subsystem: from now on every module loaded gets its face. Services attach in the order
     * registered and detach in reverse, so register a service after those it builds on.
     */
    public void register(ModuleService<?> service) {
        services.register(service);
    }

    /** Sets where modules run (colocated unless a placement says otherwise); one placement per host. */
    public void place(ModulePlacement placement) {
        this.placement = placement;
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
        return loadAs(null, jar, origin, params, force);
    }

    /**
     * Loads a module under another name, as {@code modprobe -o} does: a second instance of the same
     * binary, with its own parameters, LUs and references. Only the name differs; every import is
     * checked as for {@link #load}.
     *
     * @param name the name to load it under, or null for its own
     */
    public LoadedModule loadAs(String name, JarContents jar, String origin, Map<String, String> params, boolean force) {
        lock.lock();
        try {
            requireUnlocked("load");
            return load(jar, origin, name, params, force, new ArrayDeque<>());
        } finally {
            unlock();
        }
    }

    /** Under the lock, held once. */
    private LoadedModule load(JarContents jar, String origin, String as, Map<String, String> params, boolean force, Deque<String> chain) {
        ModuleLoader.Prepared p = loader.prepare(jar, origin, as, params, force, chain, this::dependency);
        LoadedModule m = p.module();
        table.reserve(m);
        p.dependencies().forEach(d -> d.addHolder(m.name()));
        try {
            LoadedSite site = new LoadedSite(m, p.request(), () -> ModulePins.pin(m, this::release));
            services.attachAll(m, site);
            // The one decision of where the module runs: here, or in the home the placement names.
            Optional<ModulePlacement.Home> home = placement.home(p.request());
            home.ifPresent(h -> m.domain = h.describe());
            if (home.isEmpty() && m.info().declaresNativeCode()) {
                admitNativeColocated(m);
            }
            m.instance = outsideLock(() -> home.isEmpty() ? runner.init(m, p.linked().entryClass())
                    : runner.init(m, () -> home.get().init(site, jar)));
        } catch (RuntimeException e) {
            unwind(m);
            throw e;
        }
        linker.exportTable().addModule(m.exports);
        m.state = ModuleState.LIVE;
        settled.signalAll();
        taints.apply(m, m.taints);
        log.append(LogLevel.INFO, "host", ModuleLoader.describe(m, p.linked()));
        return m;
    }

    /**
     * Native code is contained by the kernel, not by a class loader: colocated, it could do
     * anything the host can. It runs there only where the operator said so, and then for good:
     * the taint stays even if its init fails, because its code ran.
     */
    private void admitNativeColocated(LoadedModule m) {
        if (sysctl.longValue("module.native_colocated") == 0) {
            throw new HostException(Errno.EPERM, m.name() + ": declares native code (modinfo native=y), which runs only in an isolated domain"
                    + " (jdm insmod --domain isolated), or colocated where sysctl module.native_colocated=1 allows it");
        }
        log.append(LogLevel.WARNING, "host", m.name() + ": native code runs colocated (module.native_colocated=1); tainting X");
        taints.apply(m, java.util.EnumSet.of(Taint.NATIVE_COLOCATED));
    }

    /**
     * A dependency, loaded first if need be, where its user runs: a module and the modules whose
     * exports it uses share one JVM, so a dependency of an isolated module is loaded into the same
     * domain, and one loaded elsewhere already is refused.
     */
    private LoadedModule dependency(String module, String dep, Deque<String> chain, ModuleService.LoadRequest requester) {
        String where = placement.home(requester).map(ModulePlacement.Home::describe).orElse("colocated");
        Optional<LoadedModule> present = table.get(dep);
        LoadedModule loaded;
        if (present.isEmpty()) {
            if (chain.contains(dep)) {
                throw ModuleLoader.cycle(module, chain, dep);
            }
            ModuleIndex.Entry entry = index.find(dep).orElseThrow(() -> new HostException(Errno.ENOENT,
                    module + ": depends on " + dep + ", which is neither loaded nor in the module directories " + index.directories()));
            log.append(LogLevel.INFO, "host", module + ": loading dependency " + dep + " from " + entry.path()
                    + (where.equals("colocated") ? "" : " into " + where));
            loaded = load(index.read(entry), entry.path().toString(), null, placement.placeAlike(requester), false, chain);
        } else {
            loaded = awaitSettled(present.get());
            if (!loaded.domain().equals(where)) {
                throw new HostException(Errno.EINVAL, module + ": runs " + where + ", but its dependency " + dep + " runs " + loaded.domain()
                        + "; a module uses only modules of its own domain (unload " + dep + ", or load " + module + " where " + dep + " runs)");
            }
        }
        if (loaded.state() != ModuleState.LIVE) {
            throw new HostException(Errno.EBUSY, module + ": depends on " + dep + ", which is " + loaded.state().name().toLowerCase());
        }
        return loaded;
    }

    /** A dependency another load is still bringing up: wait for its init, as long as an init may take. */
    private LoadedModule awaitSettled(LoadedModule m) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(sysctl.longValue("module.init_timeout_ms") + 1_000);
        try {
            while (m.state() == ModuleState.COMING) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                settled.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return m;
    }

    /** Undoes a load that failed in attach or init: nothing of the module may remain. */
    private void unwind(LoadedModule m) {
        m.context.going();
        m.context.kill(ModuleService.Detach.INIT_FAILED).forEach(f -> log.append(LogLevel.ERR, "host", m.name() + ": " + f));
        if (table.isCurrent(m)) {
            linker.exportTable().removeModule(m.name());
        }
        table.remove(m);
        m.state = ModuleState.GOING;
        settled.signalAll();
        m.dependencies().forEach(dep -> table.get(dep).ifPresent(d -> d.removeHolder(m.name())));
    }

    /**
     * Unloads a module.
     *
     * @param wait if busy, slate it to unload when its last reference goes
     * @param force unload even if busy (taints F)
     */
    public UnloadResult unload(String name, boolean wait, boolean force) {
        lock.lock();
        try {
            requireUnlocked("unload");
            LoadedModule m = table.get(name).orElseThrow(() -> new HostException(Errno.ENOENT, name + ": module is not loaded"));
            if (policy.unload(m, wait, force) == UnloadPolicy.Verdict.SLATE) {
                slate(m, "in use by " + UnloadPolicy.usedBy(m));
                return UnloadResult.SLATED;
            }
            if (services.holdUnload(m)) {
                slate(m, "held by tasks; it keeps enforcing for them and unloads when the last one goes");
                return UnloadResult.SLATED;
            }
            unloadNow(m);
            return UnloadResult.UNLOADED;
        } finally {
            unlock();
        }
    }

    private void slate(LoadedModule m, String why) {
        m.slated = true;
        m.state = ModuleState.GOING;
        log.append(LogLevel.NOTICE, "host", m.name() + ": slated for unloading; " + why);
    }

    /**
     * Replaces the live module {@code oldName} with the module in {@code jar} (the same name or
     * another) with no moment in which neither is loaded: the new one loads first, then the old one
     * unloads, or drains while something holds it (tasks, open LUs), keeping its own references. If the new one fails to load,
     * the old one stays as it was.
     */
    public LoadedModule replace(String oldName, JarContents jar, String origin, Map<String, String> params) {
        lock.lock();
        try {
            requireUnlocked("replace");
            LoadedModule old = table.get(oldName).orElseThrow(() -> new HostException(Errno.ENOENT, oldName + ": module is not loaded"));
            policy.replace(old);
            boolean sameName = linker.readModInfo(jar, origin).name().equals(oldName);
            if (sameName) {
                table.retire(old);
                linker.exportTable().removeModule(oldName); // nobody depends on them; the name will serve the new module
            }
            LoadedModule replacement;
            try {
                replacement = load(jar, origin, null, params, false, new ArrayDeque<>());
            } catch (RuntimeException e) {
                if (sameName) {
                    table.restore(old);
                    linker.exportTable().addModule(old.exports);
                }
                throw e;
            }
            log.append(LogLevel.INFO, "host", oldName + ": replaced by " + replacement.name() + " from " + origin);
            if (services.holdUnload(old)) {
                slate(old, "replaced; it drains for the tasks that hold it");
            } else if (old.pins() > 0) {
                slate(old, "replaced; it drains until its " + old.pins() + " open reference(s) close");
            } else {
                unloadNow(old);
            }
            return replacement;
        } finally {
            unlock();
        }
    }

    /** Something dropped its hold on a slated module: unload it if nothing else holds it. */
    public void release(LoadedModule m) {
        if (lock.isHeldByCurrentThread()) {
            deferredReleases.add(m); // the holder may be mid-change: finish first (see unlock)
            return;
        }
        lock.lock();
        try {
            releaseNow(m);
        } finally {
            unlock();
        }
    }

    private void releaseNow(LoadedModule m) {
        if (table.holds(m) && m.slated && !m.exiting && m.refcount() == 0) {
            unloadNow(m);
        }
    }

    /** Under the lock, held once: the module goes; its exit runs with the lock dropped. */
    private void unloadNow(LoadedModule m) {
        m.state = ModuleState.GOING;
        m.exiting = true;
        m.context.going();
        outsideLock(() -> {
            runner.exit(m);
            return null;
        });
        finishUnload(m);
    }

    /** After exit: services detach, exports and the table entry go, freed dependencies follow. */
    private void finishUnload(LoadedModule m) {
        String name = m.name();
        m.context.kill(ModuleService.Detach.UNLOADED).forEach(f -> log.append(LogLevel.ERR, "host", name + ": " + f));
        if (table.isCurrent(m)) {
            linker.exportTable().removeModule(name);
        }
        table.remove(m);
        log.append(LogLevel.INFO, "host", name + ": unloaded");
        for (String dep : m.dependencies()) {
            table.get(dep).ifPresent(d -> {
                d.removeHolder(name);
                releaseNow(d);
            });
        }
    }

    /** Loaded modules, by name (a replaced module that still drains comes after its successor). */
    public List<LoadedModule> list() {
        return table.list();
    }

    /** A loaded module. */
    public Optional<LoadedModule> get(String name) {
        return table.get(name);
    }

    /** The host's taints so far. */
    public Set<Taint> taints() {
        return taints.current();
    }

    /** Unloads everything, dependents before their dependencies, for a clean host stop. */
    public void shutdown() {
        lock.lock();
        try {
            table.retired().forEach(this::unloadNow);
            boolean progress = true;
            while (!table.isEmpty() && progress) {
                progress = false;
                for (LoadedModule m : table.current()) {
                    if (m.holders().isEmpty() && table.isCurrent(m) && !m.exiting) {
                        unloadNow(m);
                        progress = true;
                    }
                }
            }
        } finally {
            unlock();
        }
    }

    /** Runs module code with the lock dropped; the lock is held exactly once here. */
    private <T> T outsideLock(Supplier<T> body) {
        if (lock.getHoldCount() != 1) {
            throw new IllegalStateException("module code must not run under a nested module lock");
        }
        lock.unlock();
        try {
            return body.get();
        } finally {
            lock.lock();
        }
    }

    /** Lets go of the lock, first finishing the releases deferred while it was held. */
    private void unlock() {
        try {
            while (lock.getHoldCount() == 1 && !deferredReleases.isEmpty()) {
                releaseNow(deferredReleases.poll());
            }
        } finally {
            lock.unlock();
        }
    }

    private void requireUnlocked(String what) {
        if (sysctl.bool("module.load_locked")) {
            throw new HostException(Errno.EPERM, "module " + what + " refused: module.load_locked=1 (set until the host restarts)");
        }
    }

    /** Wraps a symvers error about a module file as ENOEXEC. */
    static HostException noexec(String origin, SymversException e) {
        return new HostException(Errno.ENOEXEC, e.getMessage().startsWith(origin) ? e.getMessage() : origin + ": " + e.getMessage(), e);
    }
}

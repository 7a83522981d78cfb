package dev.jdm.host.domain;

import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.LogLevel;
import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.module.ModuleSite;
import dev.jdm.isolation.channel.ControlChannelException;
import dev.jdm.isolation.channel.Frame;
import dev.jdm.isolation.process.DomainProcess;
import dev.jdm.isolation.process.ExitStatus;
import dev.jdm.isolation.shm.SharedRegion;
import dev.jdm.symvers.JarContents;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One domain as the host sees it: the modules placed in it, and the process that serves them now,
 * through its life cycle. What the process sends is read by {@link DomainFrames}; its LUs are
 * {@link DomainLus}, its granted files {@link DomainGrants}; modules travel to it as
 * {@link ModuleShipment}s.
 *
 * <p>The domain outlives its process. When the process dies (any exit or signal, seen through its
 * pidfd) or hangs ({@link Heartbeat}), the {@link Reincarnation} starts another, reloads the modules
 * with the same parameters and grants, and re-binds their LUs to the same host LUs, whose requests
 * wait meanwhile and are then replayed ({@link RingLuDriver}). Beyond the {@link RestartPolicy}, or
 * for a module loaded with {@code recovery=fail}, the domain fails instead: its LUs fail with EIO.
 */
public final class Domain implements AutoCloseable {
    private final String name;
    private final Supplier<DomainProcess> launcher;
    private final Consumer<Placed> loaded;
    private final LogRing log;
    private final RestartPolicy policy;
    private final Map<String, Placed> modules = new ConcurrentHashMap<>();
    /** Modules whose first load finished: what a restart reloads. */
    private final Set<String> live = ConcurrentHashMap.newKeySet();
    private final Map<String, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    private final DomainLus lus;
    private final DomainGrants grants = new DomainGrants();
    private final DomainSecurity security = new DomainSecurity(this);
    private final DomainChr chr = new DomainChr(this);
    private final DomainHw hw = new DomainHw(this);
    private final DomainUsb usb = new DomainUsb(this);
    private final AtomicLong loads = new AtomicLong();
    private final AtomicInteger restarts = new AtomicInteger();
    private final List<Long> recoveryNanos = new CopyOnWriteArrayList<>();
    private final Heartbeat heartbeat;
    private final DomainSettings settings;
    private volatile DomainProcess process;
    private volatile DomainState state = DomainState.RUNNING;
    private volatile ExitStatus exit;
    private volatile String hangReason;
    private volatile boolean manual;
    /** When a frame last arrived from the current process (a heartbeat's answer or anything else). */
    private volatile long heardNanos;
    private volatile boolean answered;

    private record Reply(int errno, String message) {}

    /** A module placed here, with what reloading it after a crash needs: its record and its JAR. */
    record Placed(ModuleSite site, JarContents jar, long order) {}

    /**
     * @param launcher starts (or hands over a standby) process for this domain
     * @param loaded told of each module loaded (so that the standby prepares it)
     */
    Domain(String name, Supplier<DomainProcess> launcher, Consumer<Placed> loaded, LogRing log, DomainSettings settings) {
        this.name = name;
        this.launcher = launcher;
        this.loaded = loaded;
        this.log = log;
        this.policy = new RestartPolicy(settings.restartLimit(), settings.restartWindowMs());
        this.lus = new DomainLus(name, log, this::fault, this::replayed);
        adopt(launcher.get());
        this.heartbeat = new Heartbeat(this, settings);
        this.settings = settings;
    }

    public String name() {
        return name;
    }

    /** The current process's pid (the last one's once failed or stopped). */
    public long pid() {
        return process.pid();
    }

    /** The current process's uid. */
    public int uid() {
        return process.uid();
    }

    public DomainState state() {
        return state;
    }

    /** True while its current process runs and serves. */
    public boolean alive() {
        return state == DomainState.RUNNING && process.isAlive();
    }

    /** How its last process ended, or null while the first one runs. */
    public ExitStatus exitStatus() {
        return exit;
    }

    /** The modules placed in it, in load order. */
    public List<String> modules() {
        return placed().stream().map(p -> p.site().name()).toList();
    }

    /** The LUs its modules registered. */
    public List<String> lus() {
        return lus.names();
    }

    /** Restarts so far (after crashes, hangs and by hand). */
    public int restarts() {
        return restarts.get();
    }

    /** Per recovery with requests in flight: nanoseconds from the crash to the first replayed request's completion. */
    public List<Long> recoveryNanos() {
        return List.copyOf(recoveryNanos);
    }

    /** Kills the process (SIGKILL), as a crash would. */
    public void kill() {
        process.kill();
    }

    /**
     * Restarts the domain by hand ({@code jdm domain restart}): kills a running process, or starts a
     * failed domain again; either way its modules reload and its LUs' requests are replayed. The
     * restart budget starts afresh.
     *
     * @throws HostException EBUSY while a restart is under way, ESHUTDOWN once stopped
     */
    public synchronized void restart() {
        switch (state) {
            case RECOVERING -> throw new HostException(Errno.EBUSY, "domain " + name + " is restarting already");
            case STOPPED -> throw new HostException(Errno.ESHUTDOWN, "domain " + name + " is stopped");
            case FAILED -> {
                policy.reset();
                lus.suspend(System.nanoTime());
                state = DomainState.RECOVERING;
                Reincarnation.start(this, System.nanoTime(), "restart by hand");
            }
            case RUNNING -> {
                policy.reset();
                manual = true;
                log.append(LogLevel.NOTICE, "domain", name + ": restart by hand; killing pid " + process.pid());
                process.kill();
            }
        }
    }

    /** Runs the module's init in the domain; the handle's close runs its exit there. */
    LoadableModule load(ModuleSite site, JarContents jar) {
        String module = site.name();
        Placed placed = new Placed(site, jar, loads.incrementAndGet());
        if (modules.putIfAbsent(module, placed) != null) {
            throw new HostException(Errno.EEXIST, module + ": already in domain " + name);
        }
        try {
            loadRemote(placed);
            live.add(module);
            log.append(LogLevel.INFO, "domain", name + ": " + module + " running in pid " + process.pid());
            loaded.accept(placed);
            return () -> unload(module);
        } catch (RuntimeException e) {
            modules.remove(module);
            throw e;
        }
    }

    /** Sends LOAD with the module's JAR and parameters and waits for LOADED: at first, and again after each restart. */
    void loadRemote(Placed placed) {
        String module = placed.site().name();
        try {
            byte[] bytes = ModuleShipment.jarBytes(placed.jar());
            Reply r;
            try (SharedRegion jarFile = ModuleShipment.jarFile(module, bytes)) {
                r = call("load " + module, DomainProtocol.LOAD, ModuleShipment.loadPayload(placed.site(), bytes, settings.moduleKmemLimit().getAsLong()), jarFile.fd());
            }
            if (r.errno() != 0) {
                throw new HostException(Errno.ofNumber(r.errno()).orElse(Errno.EIO), r.message());
            }
        } catch (IOException e) {
            throw new HostException(Errno.EIO, module + ": domain " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Has a standby process link and define {@code placed} now (PREPARE: the same payload as LOAD, no
     * init), and waits for its PREPARED, so that a restart's LOAD finds the module ready: linking and
     * loading a module's classes in a cold JVM takes a second or more, most of a restart without it.
     * Nothing else reads a standby's channel until it is adopted; the lock on the process keeps two
     * preparations (and the adoption) apart.
     */
    void prepare(DomainProcess standby, Placed placed) {
        String module = placed.site().name();
        try {
            byte[] bytes = ModuleShipment.jarBytes(placed.jar());
            synchronized (standby) {
                try (SharedRegion jarFile = ModuleShipment.jarFile(module, bytes)) {
                    DomainChannel.send(standby, DomainProtocol.PREPARE, ModuleShipment.loadPayload(placed.site(), bytes, settings.moduleKmemLimit().getAsLong()), jarFile.fd());
                }
                Frame f = standby.channel().receive();
                f.closeFds();
                DomainProtocol.Reader in = new DomainProtocol.Reader("PREPARED", f.payload());
                String m = in.name("module");
                int errno = in.i("errno", 0, 4095);
                String message = in.message("message");
                in.end();
                if (f.type() != DomainProtocol.PREPARED || !m.equals(module) || errno != 0) {
                    log.append(LogLevel.WARNING, "domain", name + ": standby pid " + standby.pid() + " did not prepare " + module + ": "
                            + (errno != 0 ? message : "frame type " + f.type() + " for " + m) + "; a restart will link it then");
                }
            }
        } catch (IOException e) {
            log.append(LogLevel.WARNING, "domain", name + ": preparing " + module + " in standby pid " + standby.pid() + ": " + e.getMessage());
        }
    }

    private void unload(String module) {
        if (!alive()) {
            return; // its LUs fail or wait; the host's services clean up the rest
        }
        try {
            Reply r = call("unload " + module, DomainProtocol.UNLOAD, new DomainProtocol.Writer().name(module).bytes());
            if (r.errno() != 0) {
                throw new IllegalStateException(r.message());
            }
        } catch (IOException e) {
            throw new IllegalStateException(module + ": domain " + name + ": " + e.getMessage(), e);
        }
    }

    void forget(String module) {
        live.remove(module);
        modules.remove(module);
        grants.forget(module);
        security.forget(module);
        chr.forget(module);
        hw.forget(module);
        usb.forget(module);
        lus.forget(module);
    }

    /**
     * The modules in the order they were loaded: the order a restart reloads them in. A module whose
     * first load has not finished is not among them: if the crash cut that load short, the host
     * refuses the module, and a restart must not bring it back behind the host's back.
     */
    List<Placed> placed() {
        List<Placed> all = new ArrayList<>(modules.values());
        all.removeIf(p -> !live.contains(p.site().name()));
        all.sort(Comparator.comparingLong(Placed::order));
        return all;
    }

    /** Whether {@code p} is still placed here (not unloaded meanwhile). */
    boolean holds(Placed p) {
        return modules.get(p.site().name()) == p;
    }

    /** Whether every module here may be restarted (none was loaded with {@code recovery=fail}). */
    private boolean restartable() {
        return modules.values().stream().allMatch(p -> Placement.restartable(p.site()));
    }

    /** The module a frame names; one not placed here is the domain breaking the protocol. */
    ModuleSite site(String module) throws ControlChannelException {
        Placed p = modules.get(module);
        if (p == null) {
            throw new ControlChannelException("module " + module + " is not in domain " + name);
        }
        return p.site();
    }

    private Reply call(String what, int type, byte[] payload, int... fds) throws IOException {
        CompletableFuture<Reply> f = new CompletableFuture<>();
        if (pending.putIfAbsent(what, f) != null) {
            throw new HostException(Errno.EBUSY, what + ": already under way in domain " + name);
        }
        try {
            DomainProcess p = process;
            if (!p.isAlive() || state == DomainState.FAILED || state == DomainState.STOPPED) {
                throw new HostException(Errno.EIO, what + ": domain " + name + " is " + state.label() + " (" + exit + ")");
            }
            DomainChannel.send(p, type, payload, fds);
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostException(Errno.EINTR, what + ": interrupted while domain " + name + " worked");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof HostException he ? he : new HostException(Errno.EIO, what + ": " + e.getCause());
        } finally {
            pending.remove(what, f);
        }
    }

    /** A LOADED or UNLOADED arrived: it answers the call waiting for it. */
    void answered(boolean load, String module, int errno, String message) {
        CompletableFuture<Reply> waiting = pending.get((load ? "load " : "unload ") + module);
        if (waiting != null) {
            waiting.complete(new Reply(errno, message));
        } else if (load && errno == 0) {
            // The host gave up on this load (its init time limit): the domain must not keep it.
            log.append(LogLevel.WARNING, "domain", name + ": " + module + " loaded after the host gave up; unloading it there");
            DomainChannel.sendQuietly(process, DomainProtocol.UNLOAD, new DomainProtocol.Writer().name(module).bytes());
        }
    }

    /** Sends a heartbeat; its answer (or any frame) moves {@link #heardNanos}. */
    void ping(long seq) {
        DomainChannel.sendQuietly(process, DomainProtocol.PING, new DomainProtocol.Writer().l(seq).bytes());
    }

    /** Its modules' char nodes. */
    DomainHw hw() {
        return hw;
    }

    DomainUsb usb() {
        return usb;
    }

    /**
     * How long an interrupt of this domain's drivers takes from the host's side of its delivery to
     * the domain's handler starting: the median of the last (up to 4096), in nanoseconds, if any.
     */
    public java.util.OptionalLong interruptTransitMedian() {
        long[] t = hw.interruptTransits();
        if (t.length == 0) {
            return java.util.OptionalLong.empty();
        }
        java.util.Arrays.sort(t);
        return java.util.OptionalLong.of(t[t.length / 2]);
    }

    DomainChr chr() {
        return chr;
    }

    /** The JAR of a module placed here (its call interfaces' schemas are read from it). */
    JarContents jar(String module) {
        Placed p = modules.get(module);
        if (p == null) {
            throw new IllegalArgumentException("module " + module + " is not in domain " + name);
        }
        return p.jar();
    }

    /** Its modules' security modules, as the host's stack sees them. */
    DomainSecurity security() {
        return security;
    }

    /** A frame arrived from the current process. */
    void heard() {
        heardNanos = System.nanoTime();
        answered = true;
    }

    long heardNanos() {
        return heardNanos;
    }

    /** Whether the current process has sent anything yet. */
    boolean answered() {
        return answered;
    }

    /** The first of its LUs that has held requests too long without completing any, as a reason; null if none. */
    String stalledLu(long limitMs) {
        return lus.stalled(limitMs);
    }

    /** The heartbeat found it hung: kill it, and let the exit start the restart. */
    synchronized void hung(DomainProcess p, String why) {
        if (p != process || state != DomainState.RUNNING || hangReason != null) {
            return; // killed already: its exit is on the way
        }
        hangReason = why;
        log.append(LogLevel.ERR, "domain", name + ": hung: " + why + "; killing pid " + p.pid());
        p.kill();
    }

    /** The current process, for the heartbeat and the frame reader. */
    DomainProcess process() {
        return process;
    }

    /** Takes {@code p} as the domain's process: its reader, its exit. */
    void adopt(DomainProcess p) {
        synchronized (p) {
            process = p; // after any preparation of it under way: its answer is read there, not by the reader below
        }
        heardNanos = System.nanoTime();
        answered = false;
        lus.newProcess();
        chr.newProcess(p);
        hw.newProcess(p);
        usb.newProcess(p);
        DomainFrames.start(this, p, lus, grants);
        p.onExit(s -> died(p, s));
    }

    private void replayed(String lu, int requests, long nanos) {
        recoveryNanos.add(nanos);
        log.append(LogLevel.INFO, "domain", name + ": LU " + lu + ": " + requests + " requests replayed, the first completed "
                + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms after the crash");
    }

    private void fault(String what) {
        fault(process, what);
    }

    /** {@code p} broke the protocol (a frame or a ring): it is killed, and its exit decides what follows. */
    void fault(DomainProcess p, String what) {
        log.append(LogLevel.ERR, "domain", name + ": " + what + "; killing pid " + p.pid());
        p.kill();
    }

    /**
     * A process ended. The current one's death starts a restart if the modules allow it and the
     * budget has room; its LUs' requests wait. Otherwise its LUs fail with EIO. Either way the grants
     * it held are revoked: the restarted modules ask again.
     */
    private synchronized void died(DomainProcess p, ExitStatus status) {
        if (p != process) {
            return;
        }
        long crash = System.nanoTime();
        exit = status;
        grants.revokeAll();
        security.failPending("domain " + name + " died (" + status + ") before it voted; denied");
        chr.died("died (" + status + ")");
        hw.died("died (" + status + ")");
        usb.died("died (" + status + ")");
        pending.values().forEach(f -> f.completeExceptionally(new HostException(Errno.EIO, "domain " + name + " died: " + status)));
        String why = hangReason != null ? "hung (" + hangReason + ")" : manual ? "restart by hand" : "crashed";
        hangReason = null;
        boolean byHand = manual;
        manual = false;
        if (state == DomainState.STOPPED || state == DomainState.FAILED || modules.isEmpty() && lus.isEmpty()) {
            log.append(LogLevel.INFO, "domain", name + ": pid " + p.pid() + " ended, " + status);
            if (state == DomainState.RUNNING) {
                state = DomainState.FAILED; // nothing to restart; a new module starts a new process
            }
            return;
        }
        String list = lus.isEmpty() ? "" : "; its LUs " + String.join(", ", lus()) + " ";
        if (state == DomainState.RECOVERING) {
            log.append(LogLevel.ERR, "domain", name + ": restarted pid " + p.pid() + " ended too, " + status);
        }
        if (!restartable()) {
            fail("pid " + p.pid() + " " + why + ", " + status + "; not restarted: a module was loaded with recovery=fail" + list + "fail with EIO");
            return;
        }
        if (!byHand && !policy.allow(crash)) {
            fail("pid " + p.pid() + " " + why + ", " + status + "; not restarted: " + policy.refusal() + list + "fail with EIO");
            return;
        }
        log.append(LogLevel.ERR, "domain", name + ": pid " + p.pid() + " " + why + ", " + status + "; restarting" + list + "wait");
        lus.suspend(crash);
        state = DomainState.RECOVERING;
        Reincarnation.start(this, crash, why);
    }

    /** Gives up: every LU fails with EIO until the domain is restarted by hand or its modules unload. */
    synchronized void fail(String why) {
        state = DomainState.FAILED;
        lus.die();
        security.failPending("domain " + name + " failed; denied");
        chr.died("failed");
        hw.died("failed");
        usb.died("failed");
        pending.values().forEach(f -> f.completeExceptionally(new HostException(Errno.EIO, "domain " + name + " failed")));
        log.append(LogLevel.ERR, "domain", name + ": " + why);
    }

    /** The restart's new process, unless the host stopped meanwhile. */
    synchronized boolean adoptForRecovery(DomainProcess p) {
        if (state != DomainState.RECOVERING) {
            return false;
        }
        adopt(p);
        return true;
    }

    /** LUs the modules did not register again after a restart: nothing will serve them, so they fail. */
    List<String> failUnbound() {
        return lus.failUnbound();
    }

    /** The restart finished: the new process serves every module. */
    synchronized void recovered(long crashNanos) {
        if (state != DomainState.RECOVERING) {
            return;
        }
        heardNanos = System.nanoTime();
        state = DomainState.RUNNING;
        int n = restarts.incrementAndGet();
        log.append(LogLevel.NOTICE, "domain", name + ": recovered in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - crashNanos)
                + " ms, pid " + process.pid() + ", restart " + n + ", modules " + String.join(", ", modules()));
    }

    Supplier<DomainProcess> launcher() {
        return launcher;
    }

    LogRing log() {
        return log;
    }

    @Override
    public void close() {
        DomainProcess p;
        synchronized (this) {
            state = DomainState.STOPPED;
            p = process;
        }
        heartbeat.close();
        chr.died("stopped");
        hw.died("stopped");
        usb.died("stopped");
        try {
            p.close();
        } catch (IOException e) {
            // killed anyway
        }
        lus.close();
    }
}

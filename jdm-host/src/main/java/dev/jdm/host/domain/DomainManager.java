package dev.jdm.host.domain;

import dev.jdm.isolation.process.ReadableClassPath;
import dev.jdm.abi.LogLevel;
import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import dev.jdm.host.HostService;
import dev.jdm.host.domain.process.ModuleDomain;
import dev.jdm.host.log.LogRing;
import dev.jdm.isolation.confine.ConfinementPlan;
import dev.jdm.isolation.confine.Grant;
import dev.jdm.isolation.confine.ResourceLimits;
import dev.jdm.isolation.process.DomainLauncher;
import dev.jdm.isolation.process.DomainProcess;
import dev.jdm.isolation.process.DomainSpec;
import dev.jdm.isolation.sys.Sys;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host's isolated domains by name: started with {@code jdm-isolation}'s launcher the first time
 * a module is placed in one, stopped (killed) with the host. A domain whose process dies is
 * restarted in place ({@link Reincarnation}); one that failed for good stays listed, failed, so that
 * its LUs keep failing with EIO instead of a new domain silently taking the name.
 *
 * <p>With {@code domain.standby} on, each domain keeps one more process started and empty (booted,
 * confined, waiting for its first LOAD), so that a restart skips the two JVM start-ups that
 * dominate it; the standby is replaced in the background each time one is taken.
 */
public final class DomainManager implements HostService {
    /** nobody/nogroup: what a domain drops to when the host runs as root. */
    static final int NOBODY = 65534;

    private final LogRing log;
    private final DomainSettings settings;
    private final java.util.function.Function<String, List<Grant>> paths;
    private final Map<String, Domain> domains = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<DomainProcess>> standby = new ConcurrentHashMap<>();
    /** Per standby process: the modules it has been asked to prepare. */
    private final Map<DomainProcess, Set<String>> prepared = new ConcurrentHashMap<>();
    private volatile boolean stopped;
    private ReadableClassPath classPath;
    /** Domains restarted for debugging (jdm domain debug), by name: the port their JDWP agent listens on. */
    private final Map<String, Integer> debugPorts = new ConcurrentHashMap<>();

    public DomainManager(LogRing log) {
        this(log, DomainSettings.defaults());
    }

    public DomainManager(LogRing log, DomainSettings settings) {
        this(log, settings, name -> List.of());
    }

    /**
     * @param paths the paths each domain's processes may open themselves, by domain name: the
     *     host's domain-wide grant rules, which become Landlock rules of every process of the domain
     */
    public DomainManager(LogRing log, DomainSettings settings, java.util.function.Function<String, List<Grant>> paths) {
        this.log = log;
        this.settings = settings;
        this.paths = paths;
    }

    @Override
    public String name() {
        return "domains";
    }

    /** The live domain {@code name}, started now if there is none. */
    public synchronized Domain domain(String name) {
        if (stopped) {
            throw new HostException(Errno.ESHUTDOWN, "domain " + name + ": the host is stopping");
        }
        Domain d = domains.get(name);
        if (d != null && d.alive()) {
            return d;
        }
        if (d != null && d.state() == DomainState.RECOVERING) {
            throw new HostException(Errno.EBUSY, "domain " + name + " is restarting; try again when jdm domain ls shows it running");
        }
        if (d != null && !d.modules().isEmpty()) {
            throw new HostException(Errno.EIO, "domain " + name + " failed (" + d.exitStatus() + ") and still holds "
                    + String.join(", ", d.modules()) + "; jdm domain restart " + name + ", or unload them first");
        }
        try {
            d = new Domain(name, () -> launch(name), placed -> prepareStandby(name, placed), log, settings);
            domains.put(name, d);
            return d;
        } catch (RuntimeException e) {
            throw new HostException(Errno.EIO, "domain " + name + ": cannot start: " + e.getMessage(), e);
        }
    }

    /** Every domain, live or not, by name. */
    public List<Domain> list() {
        return domains.values().stream().sorted(java.util.Comparator.comparing(Domain::name)).toList();
    }

    /**
     * Restarts {@code name} by hand.
     *
     * @throws HostException ENOENT if there is no such domain, EBUSY if it is restarting already
     */
    public Domain restart(String name) {
        Domain d = find(name).orElseThrow(() -> new HostException(Errno.ENOENT, "domain: no domain named " + name + " (see jdm domain ls)"));
        d.restart();
        return d;
    }

    /**
     * Restarts {@code name} with a JDWP agent in its JVM, listening on a free loopback port which
     * Landlock lets it bind (its only network), so that its drivers are debugged as ordinary
     * programs: {@code jdb -attach 127.0.0.1:PORT}. It keeps the agent across later restarts, and
     * has no standby meanwhile: a standby would need the same port.
     *
     * @return the port
     * @throws HostException ENOENT if there is no such domain, EBUSY if it is restarting already
     */
    public int debug(String name) {
        Domain d = find(name).orElseThrow(() -> new HostException(Errno.ENOENT, "domain: no domain named " + name + " (see jdm domain ls)"));
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new HostException(Errno.EIO, "domain " + name + ": no free loopback port for a debugger: " + e.getMessage());
        }
        debugPorts.put(name, port);
        CompletableFuture<DomainProcess> spare = standby.remove(name);
        if (spare != null) {
            spare.thenAccept(DomainManager::closeQuietly);
        }
        log.append(LogLevel.NOTICE, "domain", name + ": restarting with a JDWP agent on 127.0.0.1:" + port + " (jdb -attach 127.0.0.1:" + port + ")");
        d.restart();
        return port;
    }

    /** The port of {@code name}'s JDWP agent, or 0 if it runs without one. */
    public int debugPort(String name) {
        return debugPorts.getOrDefault(name, 0);
    }

    /** A process for domain {@code name}: its standby if one is ready, else a fresh start; then a new standby. */
    private DomainProcess launch(String name) {
        DomainProcess p = null;
        CompletableFuture<DomainProcess> ready = debugPorts.containsKey(name) ? null : standby.remove(name);
        if (ready != null) {
            p = ready.getNow(null);
            if (p == null || !p.isAlive()) {
                ready.thenAccept(DomainManager::closeQuietly); // still starting (or dead): not worth waiting for
                p = null;
            }
        }
        long t0 = System.nanoTime();
        boolean warm = p != null;
        if (p == null) {
            p = start(name);
        }
        log.append(LogLevel.INFO, "domain", name + ": " + (warm ? "took the standby" : "started") + ", pid " + p.pid() + ", uid " + p.uid()
                + ", Landlock ABI " + p.landlockAbi() + (warm ? "" : ", in " + (System.nanoTime() - t0) / 1_000_000 + " ms"));
        prepared.remove(p);
        if (domains.containsKey(name)) {
            refill(name); // a restart; a first start waits for its first module (prepareStandby), not to compete with its load
        }
        return p;
    }

    private void refill(String name) {
        if (settings.standby().getAsLong() == 0 || stopped || debugPorts.containsKey(name)) {
            return;
        }
        CompletableFuture<DomainProcess> next = new CompletableFuture<>();
        if (standby.putIfAbsent(name, next) != null) {
            return;
        }
        Thread.ofVirtual().name("domain-standby-" + name).start(() -> {
            try {
                DomainProcess p = start(name);
                Domain d = domains.get(name);
                if (d != null) {
                    d.placed().forEach(m -> prepare(d, p, m));
                }
                next.complete(p);
            } catch (RuntimeException e) {
                standby.remove(name, next);
                next.completeExceptionally(e);
                log.append(LogLevel.WARNING, "domain", name + ": standby process did not start: " + e.getMessage());
            }
            if (stopped) {
                next.thenAccept(DomainManager::closeQuietly);
            }
        });
    }

    /** Whether domain {@code name} has a standby process started and ready to take over. */
    public boolean standbyReady(String name) {
        CompletableFuture<DomainProcess> f = standby.get(name);
        DomainProcess p = f == null ? null : f.getNow(null);
        return p != null && p.isAlive();
    }

    /** A module loaded into {@code name}: its standby, if started, prepares it too. */
    private void prepareStandby(String name, Domain.Placed placed) {
        CompletableFuture<DomainProcess> f = standby.get(name);
        Domain d = domains.get(name);
        if (f == null) {
            refill(name); // prepares every module placed by then
        } else if (d != null) {
            // not on the loading thread: the module's init time limit must not cover the standby's work
            f.thenAcceptAsync(p -> prepare(d, p, placed), r -> Thread.ofVirtual().name("domain-prepare-" + name).start(r));
        }
    }

    private void prepare(Domain d, DomainProcess p, Domain.Placed m) {
        if (prepared.computeIfAbsent(p, k -> ConcurrentHashMap.newKeySet()).add(m.site().name())) {
            d.prepare(p, m);
        }
    }

    private DomainProcess start(String name) {
        try {
            // what the JVM writes (a fatal-error report when native code crashes, a driver's stray
            // print) is the domain's, and goes to the host's log under its name
            DomainSpec spec = spec(name, classPath(), paths.apply(name));
            int port = debugPort(name);
            if (port != 0) {
                spec = new DomainSpec(spec.name(), spec.classPath(), spec.entryClass(), spec.args(),
                        List.of("-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + port), spec.plan().withBindPort(port),
                        spec.environment(), spec.startTimeoutMillis(), null, null);
            }
            return DomainLauncher.start(spec.withOutputLines(line -> log.append(LogLevel.WARNING, "domain", name + ": output: " + line)));
        } catch (IOException e) {
            throw new HostException(Errno.EIO, "domain " + name + ": cannot start: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(DomainProcess p) {
        try {
            p.close();
        } catch (IOException e) {
            // killed anyway
        }
    }

    /** The domain {@code name}, live or dead. */
    public Optional<Domain> find(String name) {
        return Optional.ofNullable(domains.get(name));
    }

    /** The module went from the host's table: its domain no longer holds it. */
    void forget(String domain, String module) {
        Domain d = domains.get(domain);
        if (d != null) {
            d.forget(module);
        }
    }

    private static boolean root() {
        try {
            return Sys.geteuid() == 0;
        } catch (IOException e) {
            throw new IllegalStateException("geteuid", e);
        }
    }

    /** Found (and copied if need be) once. */
    private synchronized List<Path> classPath() {
        if (stopped) {
            throw new HostException(Errno.ESHUTDOWN, "domains: the host is stopping");
        }
        if (classPath == null) {
            classPath = ReadableClassPath.of(codeSources(), root());
        }
        return classPath.entries();
    }

    static DomainSpec spec(String name, List<Path> classPath) {
        return spec(name, classPath, List.of());
    }

    /** The plan every domain gets, with {@code paths} beyond what its JVM needs: nothing else. */
    static DomainSpec spec(String name, List<Path> classPath, List<Grant> paths) {
        int id = root() ? NOBODY : -1;
        // the kernel's random devices, read-only: the JDK's SecureRandom seeds from them (without them it
        // falls back to a thread-timing seed generator that takes seconds), and they reveal nothing
        List<Grant> all = new ArrayList<>(paths);
        for (String dev : List.of("/dev/random", "/dev/urandom")) {
            if (java.nio.file.Files.exists(Path.of(dev))) {
                all.add(Grant.read(Path.of(dev)));
            }
        }
        ConfinementPlan plan = new ConfinementPlan(id, id, all, new ResourceLimits(4L << 30, 256, 1024), false);
        return DomainSpec.of(name, classPath, ModuleDomain.class, plan, name); // its name, for the traces it logs
    }

    /**
     * What a domain JVM runs: the code sources of the host's domain side, the isolation kit, the ABI,
     * symvers (and the Jackson TOML reader it uses), the errno table, and jdm-gate with protobuf (typed calls), granted read-only by the launcher. Nothing else of the host.
     */
    static List<Path> codeSources() {
        Set<Path> cp = new LinkedHashSet<>();
        for (Class<?> c : List.of(ModuleDomain.class, DomainLauncher.class, dev.jdm.abi.ModuleContext.class,
                dev.jdm.symvers.ModInfo.class, Errno.class,
                // char drivers' typed calls are answered in the domain: their schema and values (gate.proto)
                dev.jdm.gate.schema.CallSchema.class, com.google.protobuf.Message.class,
                // symvers reads the released ABI's revocations as TOML
                com.fasterxml.jackson.dataformat.toml.TomlMapper.class, com.fasterxml.jackson.databind.ObjectMapper.class,
                com.fasterxml.jackson.core.JsonFactory.class, com.fasterxml.jackson.annotation.JsonProperty.class)) {
            try {
                cp.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath());
            } catch (URISyntaxException | NullPointerException e) {
                throw new IllegalStateException("no code source for " + c.getName() + " to put on a domain's class path", e);
            }
        }
        return new ArrayList<>(cp);
    }

    @Override
    public synchronized void stop() {
        stopped = true;
        for (Domain d : domains.values()) {
            d.close();
        }
        domains.clear();
        standby.values().forEach(f -> f.thenAccept(DomainManager::closeQuietly));
        standby.clear();
        if (classPath != null) {
            classPath.close();
        }
    }
}

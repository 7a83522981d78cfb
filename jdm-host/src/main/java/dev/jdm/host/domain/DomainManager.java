package dev.jdm.host.domain;

import dev.jdm.isolation.process.ReadableClassPath;
import dev.jdm.abi.LogLevel;
import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import dev.jdm.host.HostService;
import dev.jdm.host.domain.process.ModuleDomain;
import dev.jdm.host.log.LogRing;
import dev.jdm.isolation.confine.ConfinementPlan;
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
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host's isolated domains by name: started with {@code jdm-isolation}'s launcher the first time
 * a module is placed in one, stopped (killed) with the host. A domain that dies stays listed, dead,
 * so that its LUs keep failing with EIO instead of a new domain silently taking the name (recovery
 * is the next slice).
 */
public final class DomainManager implements HostService {
    /** nobody/nogroup: what a domain drops to when the host runs as root. */
    static final int NOBODY = 65534;

    private final LogRing log;
    private final Map<String, Domain> domains = new ConcurrentHashMap<>();
    private volatile boolean stopped;
    private ReadableClassPath classPath;

    public DomainManager(LogRing log) {
        this.log = log;
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
        if (d != null && !d.modules().isEmpty()) {
            throw new HostException(Errno.EIO, "domain " + name + " died (" + d.exitStatus() + ") and still holds "
                    + String.join(", ", d.modules()) + "; unload them first (restarts come with recovery)");
        }
        try {
            DomainProcess p = DomainLauncher.start(spec(name, classPath()));
            d = new Domain(name, p, log);
            domains.put(name, d);
            log.append(LogLevel.INFO, "domain", name + ": started, pid " + p.pid() + ", uid " + p.uid() + ", Landlock ABI " + p.landlockAbi());
            return d;
        } catch (IOException | RuntimeException e) {
            throw new HostException(Errno.EIO, "domain " + name + ": cannot start: " + e.getMessage(), e);
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

    /** Under the lock: found (and copied if need be) once. */
    private List<Path> classPath() {
        if (classPath == null) {
            classPath = ReadableClassPath.of(codeSources(), root());
        }
        return classPath.entries();
    }

    static DomainSpec spec(String name, List<Path> classPath) {
        int id = root() ? NOBODY : -1;
        ConfinementPlan plan = new ConfinementPlan(id, id, List.of(), new ResourceLimits(4L << 30, 256, 1024), false);
        return DomainSpec.of(name, classPath, ModuleDomain.class, plan);
    }

    /**
     * What a domain JVM runs: the code sources of the host's domain side, the isolation kit, the ABI,
     * symvers (and the Jackson TOML reader it uses) and the errno table, granted read-only by the launcher. Nothing else of the host.
     */
    static List<Path> codeSources() {
        Set<Path> cp = new LinkedHashSet<>();
        for (Class<?> c : List.of(ModuleDomain.class, DomainLauncher.class, dev.jdm.abi.ModuleContext.class,
                dev.jdm.symvers.ModInfo.class, Errno.class,
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
        if (classPath != null) {
            classPath.close();
        }
    }
}

package dev.jdm.host.mem;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.mem.Kmem;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.module.ModuleService;
import dev.jdm.host.module.ModuleSite;
import dev.jdm.host.sysctl.Sysctl;

/**
 * Each module's memory ({@link ModuleKmem}), with the limits and debugging the sysctls set; what a
 * module leaves allocated is reclaimed and reported when it goes.
 */
public final class KmemService implements ModuleService<Kmem> {
    private final LogRing log;
    private final Sysctl sysctl;

    public KmemService(LogRing log, Sysctl sysctl) {
        this.log = log;
        this.sysctl = sysctl;
    }

    @Override
    public Class<Kmem> face() {
        return Kmem.class;
    }

    @Override
    public Attachment<Kmem> attach(ModuleSite module) {
        String name = module.name();
        ModuleKmem kmem = new ModuleKmem(name, () -> sysctl.bool("kmem.debug"), () -> sysctl.longValue("kmem.module_limit_bytes"));
        return new Attachment<>() {
            @Override
            public Kmem face() {
                return kmem;
            }

            @Override
            public long footprint() {
                return kmem.footprint();
            }

            @Override
            public void detach(Detach why) {
                LeakReport leaks = kmem.reclaim();
                if (leaks.isEmpty()) {
                    return;
                }
                if (why == Detach.INIT_FAILED) {
                    log.append(LogLevel.INFO, "host", name + ": reclaimed after failed init: " + leaks.summary());
                    return;
                }
                log.append(LogLevel.WARNING, "host", name + ": leaked " + leaks.summary() + "; reclaimed"
                        + (sysctl.bool("kmem.debug") ? "" : " (set kmem.debug=1 before loading to see allocation sites)"));
                leaks.lines().stream().limit(32).forEach(l -> log.append(LogLevel.WARNING, "host", name + ": leak: " + l));
            }
        };
    }
}

package dev.jdm.host.module;

import dev.jdm.abi.LogLevel;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.sysctl.Sysctl;
import dev.jdm.symvers.ModInfo;
import java.util.EnumSet;
import java.util.Set;

/** The host's taints: which a module earns at load, and the marks that never clear until a restart. */
final class HostTaints {
    private final LogRing log;
    private final Sysctl sysctl;
    private final ModuleIndex index;
    private final EnumSet<Taint> host = EnumSet.noneOf(Taint.class);

    HostTaints(LogRing log, Sysctl sysctl, ModuleIndex index) {
        this.log = log;
        this.sysctl = sysctl;
        this.index = index;
    }

    /** What loading this module taints: a proprietary licence (P), out of tree (O), forced (F). */
    EnumSet<Taint> earnedBy(ModInfo info, String origin, boolean forced) {
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

    /** Marks the module and the host; a letter new to the host is logged once and shows in {@code kernel.tainted}. */
    synchronized void apply(LoadedModule m, Set<Taint> taints) {
        for (Taint t : taints) {
            m.taints.add(t);
            if (host.add(t)) {
                log.append(LogLevel.WARNING, "host", m.name() + ": " + t.description() + "; host tainted " + t.letter());
            }
        }
        sysctl.setInternal("kernel.tainted", Taint.letters(host));
    }

    synchronized Set<Taint> current() {
        return Set.copyOf(host);
    }
}

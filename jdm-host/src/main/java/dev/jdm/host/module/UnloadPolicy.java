package dev.jdm.host.module;

import dev.jdm.abi.LogLevel;
import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import dev.jdm.host.log.LogRing;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * When a module may go: a busy module is refused (EBUSY), slated ({@code --wait}), or forced
 * (taint F); one that is coming or already exiting is refused; the services may veto.
 */
final class UnloadPolicy {
    /** What to do with a module rmmod asked for. */
    enum Verdict {
        /** Nothing holds it: unload now. */
        UNLOAD,
        /** References remain and the caller chose to wait: unload when the last goes. */
        SLATE
    }

    private final ModuleServices services;
    private final HostTaints taints;
    private final LogRing log;

    UnloadPolicy(ModuleServices services, HostTaints taints, LogRing log) {
        this.services = services;
        this.taints = taints;
        this.log = log;
    }

    Verdict unload(LoadedModule m, boolean wait, boolean force) {
        String name = m.name();
        if (m.state() == ModuleState.COMING) {
            throw new HostException(Errno.EBUSY, name + ": module is still initialising");
        }
        if (m.exiting) {
            throw new HostException(Errno.EBUSY, name + ": its exit is running; it goes when exit returns or times out");
        }
        services.checkUnload(m, force);
        int refs = m.refcount();
        if (refs > 0 && !force) {
            if (wait) {
                return Verdict.SLATE;
            }
            throw new HostException(Errno.EBUSY, name + ": module is in use by: " + usedBy(m)
                    + " (use --wait to unload when free, --force to unload anyway)");
        }
        if (refs > 0) {
            taints.apply(m, EnumSet.of(Taint.FORCED));
            log.append(LogLevel.WARNING, "host", name + ": forced unload while in use by " + usedBy(m) + "; host tainted F");
        }
        return Verdict.UNLOAD;
    }

    /** A replace needs a live module that no other module depends on. */
    void replace(LoadedModule old) {
        if (old.state() != ModuleState.LIVE) {
            throw new HostException(Errno.EBUSY, old.name() + ": module is " + old.state().name().toLowerCase() + ", not live");
        }
        if (!old.holders().isEmpty()) {
            throw new HostException(Errno.EBUSY, old.name() + ": modules depend on it (" + String.join(", ", old.holders()) + "); cannot replace");
        }
        services.checkUnload(old, false);
    }

    static String usedBy(LoadedModule m) {
        List<String> users = new ArrayList<>(m.holders());
        int pins = m.pins();
        if (pins > 0) {
            users.add(pins + " open reference(s)");
        }
        return String.join(", ", users);
    }
}

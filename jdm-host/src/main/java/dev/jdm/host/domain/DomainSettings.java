package dev.jdm.host.domain;

import dev.jdm.host.sysctl.Sysctl;
import java.util.function.LongSupplier;

/**
 * The domain manager's tunables, read at each use so that a sysctl write takes effect at the next
 * heartbeat or crash: hang detection ({@code domain.heartbeat_ms}, {@code domain.io_stall_ms}), the
 * restart budget ({@code domain.restart_limit} per {@code domain.restart_window_ms}) and the warm
 * standby ({@code domain.standby}); and the host's {@code kmem.module_limit_bytes}, which a
 * module loaded into a domain takes along in its LOAD (and at each restart's).
 */
public record DomainSettings(LongSupplier heartbeatMs, LongSupplier ioStallMs, LongSupplier restartLimit, LongSupplier restartWindowMs,
        LongSupplier standby, LongSupplier moduleKmemLimit) {
    static final String HEARTBEAT_MS = "domain.heartbeat_ms";
    static final String IO_STALL_MS = "domain.io_stall_ms";
    static final String RESTART_LIMIT = "domain.restart_limit";
    static final String RESTART_WINDOW_MS = "domain.restart_window_ms";
    static final String STANDBY = "domain.standby";
    /** Registered by the host with the rest of kmem's keys. */
    static final String MODULE_KMEM_LIMIT = "kmem.module_limit_bytes";

    /** The defaults, for a manager without a sysctl table. */
    public static DomainSettings defaults() {
        return new DomainSettings(() -> 2_000, () -> 10_000, () -> 5, () -> 600_000, () -> 1, () -> 4L << 30);
    }

    /** Registers the keys with their defaults, and the settings that read them. */
    public static DomainSettings register(Sysctl sysctl) {
        sysctl.register(new Sysctl.Entry(HEARTBEAT_MS, Sysctl.Type.LONG, true, false, 0, 3_600_000,
                "a domain that answers no heartbeat for this long is hung: killed and restarted; 0 never"), "2000");
        sysctl.register(new Sysctl.Entry(IO_STALL_MS, Sysctl.Type.LONG, true, false, 0, 3_600_000,
                "a domain LU that holds requests and completes none for this long is hung: killed and restarted; 0 never"), "10000");
        sysctl.register(new Sysctl.Entry(RESTART_LIMIT, Sysctl.Type.LONG, true, false, 0, 1_000_000,
                "crashes a domain is restarted after within domain.restart_window_ms; one more and its LUs fail with EIO"), "5");
        sysctl.register(new Sysctl.Entry(RESTART_WINDOW_MS, Sysctl.Type.LONG, true, false, 1, 86_400_000,
                "the window domain.restart_limit counts crashes in"), "600000");
        sysctl.register(new Sysctl.Entry(STANDBY, Sysctl.Type.BOOL, true, false, 0, 1,
                "keep one started, empty domain process per domain, so that a restart need not wait for JVM start-up"), "1");
        return new DomainSettings(() -> sysctl.longValue(HEARTBEAT_MS), () -> sysctl.longValue(IO_STALL_MS),
                () -> sysctl.longValue(RESTART_LIMIT), () -> sysctl.longValue(RESTART_WINDOW_MS), () -> sysctl.longValue(STANDBY),
                () -> sysctl.longValue(MODULE_KMEM_LIMIT));
    }
}

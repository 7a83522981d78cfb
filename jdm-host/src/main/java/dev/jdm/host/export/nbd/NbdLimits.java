package dev.jdm.host.export.nbd;

import dev.jdm.host.sysctl.Sysctl;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * What the NBD server allows beyond one connection, read when a connection needs it so that a
 * changed sysctl applies to the next one.
 *
 * @param perUid connections one uid may hold, below {@link NbdServer#MAX_CONNECTIONS}, so idle
 *     sessions of one user cannot lock every other user out
 * @param idleMillis a session with nothing in flight that sends no request for this long is
 *     closed; 0 never (a mounted file system may rightly be idle for hours, so this is opt-in, as
 *     nbdkit's {@code --timeout} is)
 * @param exportBytes payload bytes all connections of one export may hold in flight; a request
 *     waits for room, as one connection's requests wait for {@link NbdConfig#maxInFlightBytes}
 */
public record NbdLimits(IntSupplier perUid, LongSupplier idleMillis, LongSupplier exportBytes) {
    static final String PER_UID = "nbd.max_connections_per_uid";
    static final String IDLE_MS = "nbd.idle_timeout_ms";
    static final String EXPORT_BYTES = "nbd.export_inflight_bytes";
    /** Defaults of the sysctls. */
    public static final NbdLimits DEFAULTS = new NbdLimits(() -> 64, () -> 0, () -> 512L << 20);

    /** Registers the sysctls with the defaults above. */
    public static void register(Sysctl sysctl) {
        sysctl.register(new Sysctl.Entry(PER_UID, Sysctl.Type.LONG, true, false, 1, NbdServer.MAX_CONNECTIONS,
                "NBD connections one uid may hold at once (the server holds at most " + NbdServer.MAX_CONNECTIONS + ")"), "64");
        sysctl.register(new Sysctl.Entry(IDLE_MS, Sysctl.Type.LONG, true, false, 0, 86_400_000,
                "an NBD session with nothing in flight that sends no request for this long is closed; 0 never"), "0");
        sysctl.register(new Sysctl.Entry(EXPORT_BYTES, Sysctl.Type.LONG, true, false, NbdConfig.MAX_PAYLOAD, Integer.MAX_VALUE,
                "payload bytes all connections of one export may hold in flight (read when the export is first used)"),
                Long.toString(512L << 20));
    }

    /** Limits read from {@code sysctl}'s keys. */
    public static NbdLimits of(Sysctl sysctl) {
        return new NbdLimits(() -> (int) sysctl.longValue(PER_UID), () -> sysctl.longValue(IDLE_MS), () -> sysctl.longValue(EXPORT_BYTES));
    }
}

package dev.jdm.gate;

import java.util.OptionalInt;

/** The gate protocol versions, and how a client's range meets the host's (see gate.proto). */
public final class GateVersion {
    /** The oldest version a host still serves: clients built against it keep working. */
    public static final int MIN = 1;
    /** The newest version this build speaks. */
    public static final int MAX = 4;

    private GateVersion() {}

    /**
     * The version to speak with a client that sent {@code version} and {@code maxVersion} (0 for a
     * version 1 client, which sends no maximum): the highest both speak.
     */
    public static OptionalInt negotiate(int version, int maxVersion) {
        int clientMin = version == 0 ? 1 : version;
        int clientMax = Math.max(clientMin, maxVersion);
        int chosen = Math.min(clientMax, MAX);
        return chosen >= Math.max(clientMin, MIN) ? OptionalInt.of(chosen) : OptionalInt.empty();
    }

    /** The refusal when {@link #negotiate} finds nothing in common. */
    public static String noCommonVersion(int version, int maxVersion) {
        int clientMin = version == 0 ? 1 : version;
        int clientMax = Math.max(clientMin, maxVersion);
        return "the client speaks gate version" + (clientMin == clientMax ? " " + clientMin : "s " + clientMin + ".." + clientMax)
                + "; this host speaks " + MIN + ".." + MAX;
    }
}

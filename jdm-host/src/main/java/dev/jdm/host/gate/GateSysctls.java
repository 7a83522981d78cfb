package dev.jdm.host.gate;

import dev.jdm.gate.Frames;
import dev.jdm.host.sysctl.Sysctl;

/** The call gate's tunables: connection limits, deadlines and the memory frames may hold. */
public final class GateSysctls {
    static final String MAX_CONNECTIONS = "gate.max_connections";
    static final String MAX_PER_UID = "gate.max_connections_per_uid";
    static final String HANDSHAKE_MS = "gate.handshake_timeout_ms";
    static final String IDLE_MS = "gate.idle_timeout_ms";
    static final String FRAME_MEMORY = "gate.frame_memory_bytes";

    private GateSysctls() {}

    /** Registers the keys with their defaults. */
    public static void register(Sysctl sysctl) {
        sysctl.register(new Sysctl.Entry(MAX_CONNECTIONS, Sysctl.Type.LONG, true, false, 1, 65_536,
                "gate connections held at once; more are refused at accept"), "256");
        sysctl.register(new Sysctl.Entry(MAX_PER_UID, Sysctl.Type.LONG, true, false, 1, 65_536,
                "gate connections one uid may hold at once"), "32");
        sysctl.register(new Sysctl.Entry(HANDSHAKE_MS, Sysctl.Type.LONG, true, false, 10, 3_600_000,
                "a gate connection whose first call has not fully arrived after this long is closed"), "10000");
        sysctl.register(new Sysctl.Entry(IDLE_MS, Sysctl.Type.LONG, true, false, 10, 86_400_000,
                "a gate connection that sends no complete call for this long after its last reply is closed"), "300000");
        // A quarter of the heap: frames are parsed into messages of about their own size while held.
        long memory = Math.max(Frames.MAX_FRAME, Runtime.getRuntime().maxMemory() / 4);
        sysctl.register(new Sysctl.Entry(FRAME_MEMORY, Sysctl.Type.LONG, true, false, CallSizes.SMALL, Long.MAX_VALUE,
                "bytes all gate frames being received may hold (read when the gate starts)"), Long.toString(memory));
    }
}

package dev.jdm.gate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a host listens by default, and the descriptor behind a socket: one rule for the host and its clients. */
public final class GateSocket {
    private GateSocket() {}

    /** $XDG_RUNTIME_DIR/jdm, /run/jdm as root, or a per-user directory under /tmp. */
    public static Path defaultRuntimeDir() {
        int uid = uid();
        if (uid == 0) {
            return Path.of("/run/jdm");
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        return xdg != null && !xdg.isBlank() ? Path.of(xdg, "jdm") : Path.of(System.getProperty("java.io.tmpdir"), "jdm-" + uid);
    }

    /** The socket a client uses: {@code flag} (--socket) if given, then $JDM_SOCKET, then the default runtime directory's gate.sock. */
    public static Path forClient(Path flag) {
        return flag != null ? flag : forClient();
    }

    /** The socket a client uses without a flag: $JDM_SOCKET, else the default runtime directory's gate.sock. */
    public static Path forClient() {
        String env = System.getenv("JDM_SOCKET");
        return env != null && !env.isBlank() ? Path.of(env) : defaultRuntimeDir().resolve("gate.sock");
    }

    /**
     * The file descriptor behind a JDK socket channel, or -1 where it cannot be had (the JDK keeps
     * it private; the launcher opens {@code sun.nio.ch} for this): for the system calls the JDK
     * does not offer, on the host's side and the clients'.
     */
    public static int descriptorOf(java.nio.channels.Channel channel) {
        try {
            java.lang.reflect.Method fdVal = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
            fdVal.setAccessible(true);
            return (int) fdVal.invoke(channel);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    /** This process's real uid, as the kernel reports it for /proc/self. */
    private static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot read this process's uid from /proc/self: " + e.getMessage(), e);
        }
    }
}

package dev.jdm.host.gate;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Binds listeners with the system's listen queue: {@code /proc/sys/net/core/somaxconn}, the most
 * the kernel lets {@code listen(2)} ask for. The JDK's default of 50 overflows under connection
 * bursts, and a non-blocking client then sees EAGAIN.
 */
public final class ListenBacklog {
    /** Used when somaxconn cannot be read: Linux's default since 5.4. */
    static final int FALLBACK = 4096;
    private static final Path SOMAXCONN = Path.of("/proc/sys/net/core/somaxconn");

    private ListenBacklog() {}

    /** The system's somaxconn, or {@link #FALLBACK}. */
    public static int somaxconn() {
        try {
            // by lines: proc files report size 0, and a read sized from that stops after the first bytes
            int v = Integer.parseInt(Files.readAllLines(SOMAXCONN).getFirst().strip());
            return v > 0 ? v : FALLBACK;
        } catch (IOException | RuntimeException e) {
            return FALLBACK;
        }
    }

    /** Binds {@code server} to {@code address} with a backlog of somaxconn. */
    public static void bind(ServerSocketChannel server, SocketAddress address) throws IOException {
        server.bind(address, somaxconn());
    }
}

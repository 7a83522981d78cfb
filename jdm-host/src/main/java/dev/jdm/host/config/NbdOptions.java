package dev.jdm.host.config;

import java.nio.file.Path;
import java.util.List;

/**
 * NBD flags; each overrides the configuration.
 *
 * @param socket Unix socket, or null
 * @param tcp {@code host:port} or {@code off}, or null
 * @param memory extra in-memory exports as {@code NAME:SIZE}
 * @param tls {@code off}, {@code on} or {@code require}, or null
 * @param tlsCertificates certificate directory, or null
 * @param tlsVerifyPeer whether to verify client certificates, or null for the configuration's
 */
public record NbdOptions(Path socket, String tcp, List<String> memory, String tls, Path tlsCertificates, Boolean tlsVerifyPeer) {
    /** No flags. */
    public static final NbdOptions NONE = new NbdOptions(null, null, List.of());
    /** No TCP listener, whatever the configuration says. */
    public static final NbdOptions NO_TCP = new NbdOptions(null, "off", List.of());

    public NbdOptions {
        memory = memory == null ? List.of() : List.copyOf(memory);
    }

    /** Listener flags without TLS flags. */
    public NbdOptions(Path socket, String tcp, List<String> memory) {
        this(socket, tcp, memory, null, null, null);
    }
}

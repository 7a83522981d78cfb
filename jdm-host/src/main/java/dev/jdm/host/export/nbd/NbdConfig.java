package dev.jdm.host.export.nbd;

import dev.jdm.host.export.nbd.tls.TlsSettings;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How the NBD server listens and what it allows one connection.
 *
 * @param socket Unix socket to listen on, or null for none
 * @param tcp TCP address to listen on (127.0.0.1:10809 by default; other addresses only when
 *     configured), or null for none
 * @param handshakeTimeout a connection still negotiating after this long is closed (the TLS
 *     handshake included)
 * @param maxInFlight requests one connection may have in flight; the reader stops reading beyond it
 * @param maxInFlightBytes read and write payload bytes one connection may have in flight
 * @param maxPayload largest read or write payload served (the spec's maximum block size; a device
 *     may ask for less)
 * @param tls TLS on the TCP listener (the Unix socket's peers are known by the kernel and never
 *     need it)
 * @param cleartextBeyondLoopback allow a TCP address beyond loopback without {@code tls = require}
 * @param limits limits across connections: per uid, idle sessions, bytes per export
 */
public record NbdConfig(Path socket, InetSocketAddress tcp, Duration handshakeTimeout, int maxInFlight,
        long maxInFlightBytes, int maxPayload, TlsSettings tls, boolean cleartextBeyondLoopback, NbdLimits limits) {
    /** The IANA port for NBD. */
    public static final int DEFAULT_PORT = 10809;
    /** Largest payload: 32 MiB, what qemu and the Linux client use as their maximum block size. */
    public static final int MAX_PAYLOAD = 32 << 20;

    public NbdConfig {
        if (maxInFlight < 1 || maxInFlightBytes < MAX_PAYLOAD || maxPayload < 512 || maxPayload > MAX_PAYLOAD) {
            throw new IllegalArgumentException("bad NBD limits: in flight " + maxInFlight + ", bytes " + maxInFlightBytes
                    + ", payload " + maxPayload);
        }
        tls = tls == null ? TlsSettings.OFF : tls;
        limits = limits == null ? NbdLimits.DEFAULTS : limits;
    }

    /** Listeners as given, with the default limits and no TLS. */
    public static NbdConfig of(Path socket, InetSocketAddress tcp) {
        return new NbdConfig(socket, tcp, Duration.ofSeconds(10), 64, 64L << 20, MAX_PAYLOAD, TlsSettings.OFF, false, NbdLimits.DEFAULTS);
    }

    /** Same, with another handshake timeout. */
    public NbdConfig withHandshakeTimeout(Duration d) {
        return new NbdConfig(socket, tcp, d, maxInFlight, maxInFlightBytes, maxPayload, tls, cleartextBeyondLoopback, limits);
    }

    /** Same, with TLS settings and the clear-text-beyond-loopback permission. */
    public NbdConfig withTls(TlsSettings t, boolean cleartextOutside) {
        return new NbdConfig(socket, tcp, handshakeTimeout, maxInFlight, maxInFlightBytes, maxPayload, t, cleartextOutside, limits);
    }

    /** Same, with other limits across connections. */
    public NbdConfig withLimits(NbdLimits l) {
        return new NbdConfig(socket, tcp, handshakeTimeout, maxInFlight, maxInFlightBytes, maxPayload, tls, cleartextBeyondLoopback, l);
    }
}

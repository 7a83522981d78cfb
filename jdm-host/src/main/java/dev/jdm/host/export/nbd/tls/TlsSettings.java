package dev.jdm.host.export.nbd.tls;

import java.nio.file.Path;
import java.util.List;

/**
 * TLS on the NBD server's TCP listener, as nbdkit's {@code --tls}, {@code --tls-certificates} and
 * {@code --tls-verify-peer} describe it.
 *
 * @param mode off, on (offered) or require
 * @param certificates directory holding {@code server-cert.pem}, {@code server-key.pem} and, to
 *     verify clients, {@code ca-cert.pem} (the layout qemu and nbdkit read); null when off
 * @param verifyPeer ask every TLS client for a certificate signed by {@code ca-cert.pem} and refuse
 *     the handshake without one
 * @param clients which verified subjects act as which uid and groups
 */
public record TlsSettings(TlsMode mode, Path certificates, boolean verifyPeer, List<ClientIdentity> clients) {
    /** No TLS. */
    public static final TlsSettings OFF = new TlsSettings(TlsMode.OFF, null, false, List.of());

    public TlsSettings {
        clients = clients == null ? List.of() : List.copyOf(clients);
        if (mode != TlsMode.OFF && certificates == null) {
            throw new IllegalArgumentException("NBD TLS " + mode + " needs a certificate directory (--nbd-tls-certificates DIR or "
                    + "[nbd.tls] certificates) holding server-cert.pem, server-key.pem and ca-cert.pem");
        }
    }
}

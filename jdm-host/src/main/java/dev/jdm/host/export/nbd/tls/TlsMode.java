package dev.jdm.host.export.nbd.tls;

import java.util.Locale;

/**
 * Whether a TCP listener speaks TLS, in the NBD protocol's terms ("TLS support", "Server-side
 * requirements"): {@code off} is NOTLS, {@code on} offers NBD_OPT_STARTTLS and serves clear text
 * too (the degenerate SELECTIVETLS with no TLS-only export), {@code require} is FORCEDTLS.
 */
public enum TlsMode {
    OFF, ON, REQUIRE;

    /** Parses {@code off}, {@code on} or {@code require}, as nbdkit's {@code --tls} spells them. */
    public static TlsMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("NBD TLS mode \"" + text + "\" is not off, on or require");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

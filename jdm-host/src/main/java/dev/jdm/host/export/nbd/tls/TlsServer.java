package dev.jdm.host.export.nbd.tls;

import dev.jdm.host.task.Credentials;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;

/**
 * The server side of NBD_OPT_STARTTLS: TLS 1.3 over a connection that has just acknowledged the
 * option, and what the client's certificate proves. With peer verification a client must present
 * a certificate chaining to {@code ca-cert.pem} and valid now, or the handshake fails; its subject
 * then picks the credentials from the configured identities. Without verification no certificate
 * is asked for, and the peer proves nothing.
 */
public final class TlsServer {
    private final SSLContext context;
    private final TlsSettings settings;

    private TlsServer(SSLContext context, TlsSettings settings) {
        this.context = context;
        this.settings = settings;
    }

    /**
     * Loads the certificate directory.
     *
     * @throws IllegalArgumentException naming the file at fault
     */
    public static TlsServer of(TlsSettings settings) {
        return new TlsServer(CertificateDirectory.load(settings.certificates(), settings.verifyPeer()), settings);
    }

    /**
     * What a finished TLS handshake established.
     *
     * @param channel the encrypted channel, on which negotiation goes on
     * @param subject the verified client certificate's subject, if the peer was verified
     * @param credentials what that subject maps to, if it is a configured identity
     */
    public record Session(TlsChannel channel, Optional<X500Principal> subject, Optional<Credentials> credentials) {
        /** For the log: protocol, cipher suite and who the peer proved to be. */
        public String describe() {
            var s = channel.session();
            return s.getProtocol() + " " + s.getCipherSuite() + subject.map(p -> ", client " + p.getName()
                    + credentials.map(c -> " as uid " + c.uid() + " gid " + c.gid() + (c.groups().isEmpty() ? "" : " groups " + c.groups()))
                            .orElse(" (no [[nbd.tls.client]] entry: unknown uid)")).orElse(", client not verified");
        }
    }

    /**
     * Runs the TLS handshake on {@code socket}. The caller's deadline bounds it: closing the socket
     * ends a handshake that never finishes.
     *
     * @throws IOException if the handshake fails (bad or missing certificate, not TLS, peer gone)
     */
    public Session accept(SocketChannel socket) throws IOException {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        // TLS 1.3 only: every client we serve (gnutls in libnbd and qemu, the JDK) speaks it, and it
        // has no renegotiation for a peer to start in the middle of transmission.
        engine.setEnabledProtocols(new String[] {"TLSv1.3"});
        engine.setNeedClientAuth(settings.verifyPeer());
        TlsChannel channel = new TlsChannel(socket, engine);
        channel.handshake();
        if (!settings.verifyPeer()) {
            return new Session(channel, Optional.empty(), Optional.empty());
        }
        X500Principal subject;
        try {
            Certificate[] chain = engine.getSession().getPeerCertificates();
            subject = ((X509Certificate) chain[0]).getSubjectX500Principal();
        } catch (SSLPeerUnverifiedException | ClassCastException | ArrayIndexOutOfBoundsException e) {
            throw new javax.net.ssl.SSLHandshakeException("the client presented no verified certificate");
        }
        return new Session(channel, Optional.of(subject), lookup(settings.clients(), subject));
    }

    /** The first identity whose subject is the certificate's. */
    static Optional<Credentials> lookup(List<ClientIdentity> clients, X500Principal subject) {
        return clients.stream().filter(c -> c.matches(subject)).findFirst().map(ClientIdentity::credentials);
    }
}

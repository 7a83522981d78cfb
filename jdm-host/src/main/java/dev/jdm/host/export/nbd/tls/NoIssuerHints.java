package dev.jdm.host.export.nbd.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The PKIX trust manager with its list of accepted issuers hidden. That list becomes the optional
 * {@code certificate_authorities} extension of the server's CertificateRequest (RFC 8446 4.2.4);
 * gnutls clients (libnbd 1.14 and qemu on gnutls 3.7, as tested) answer a request carrying it with
 * an empty certificate, and nbdkit's gnutls server does not send it. Hiding the hint changes no
 * verdict: every chain is still checked against {@code ca-cert.pem} by the delegate.
 */
final class NoIssuerHints extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager d;

    NoIssuerHints(X509ExtendedTrustManager d) {
        this.d = d;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        d.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        d.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        d.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        d.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        d.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        d.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}

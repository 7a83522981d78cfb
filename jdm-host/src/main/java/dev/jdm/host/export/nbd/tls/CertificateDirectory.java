package dev.jdm.host.export.nbd.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A directory of certificates laid out as qemu's {@code tls-creds-x509} and nbdkit's
 * {@code --tls-certificates} read it, so that an operator's existing files serve jdm too:
 * {@code server-cert.pem} (the server's certificate, then any intermediates),
 * {@code server-key.pem} (its private key) and {@code ca-cert.pem} (the CAs that client
 * certificates must chain to; needed only to verify peers).
 */
public final class CertificateDirectory {
    static final String CA_CERT = "ca-cert.pem";
    static final String SERVER_CERT = "server-cert.pem";
    static final String SERVER_KEY = "server-key.pem";
    private static final char[] NO_PASSWORD = new char[0];

    private CertificateDirectory() {}

    /**
     * The server's TLS context from {@code dir}.
     *
     * @param verifyPeer whether {@code ca-cert.pem} is needed to check client certificates
     * @throws IllegalArgumentException naming the file that is missing or unreadable and why
     */
    public static SSLContext load(Path dir, boolean verifyPeer) {
        List<X509Certificate> chain = certificates(dir.resolve(SERVER_CERT));
        PrivateKey key;
        try {
            key = PemKeys.parse(read(dir.resolve(SERVER_KEY)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(dir.resolve(SERVER_KEY) + ": " + e.getMessage());
        }
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", key, NO_PASSWORD, chain.toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, NO_PASSWORD);
            TrustManager[] trust = null;
            if (verifyPeer) {
                KeyStore cas = KeyStore.getInstance("PKCS12");
                cas.load(null, null);
                int i = 0;
                for (X509Certificate ca : certificates(dir.resolve(CA_CERT))) {
                    cas.setCertificateEntry("ca" + i++, ca);
                }
                // PKIX: the chain must reach one of these CAs and every certificate in it must be valid now.
                TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
                tmf.init(cas);
                trust = new TrustManager[] {new NoIssuerHints((X509ExtendedTrustManager) tmf.getTrustManagers()[0])};
            }
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(kmf.getKeyManagers(), trust, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(dir + ": " + SERVER_CERT + " and " + SERVER_KEY + " do not make a usable key pair: "
                    + e.getMessage());
        }
    }

    private static List<X509Certificate> certificates(Path file) {
        try {
            var found = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(read(file).getBytes(StandardCharsets.ISO_8859_1)));
            List<X509Certificate> certs = found.stream().map(X509Certificate.class::cast).toList();
            if (certs.isEmpty()) {
                throw new IllegalArgumentException(file + ": no CERTIFICATE block");
            }
            return certs;
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + ": not PEM certificates (" + e.getMessage() + ")");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read (" + e.getMessage() + "); the directory needs " + SERVER_CERT
                    + ", " + SERVER_KEY + " and, to verify clients, " + CA_CERT);
        }
    }
}

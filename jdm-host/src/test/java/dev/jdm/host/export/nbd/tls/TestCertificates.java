package dev.jdm.host.export.nbd.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A test CA made with certtool (gnutls-bin), and certificates it issues, in the directory layout
 * qemu, libnbd and nbdkit read: a server directory ({@code ca-cert.pem}, {@code server-cert.pem},
 * {@code server-key.pem}) and one directory per client ({@code ca-cert.pem},
 * {@code client-cert.pem}, {@code client-key.pem}). Also used by jdm-cli's NbdTlsIT.
 */
public final class TestCertificates {
    public static final Path CERTTOOL = Path.of("/usr/bin/certtool");
    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** Whether certtool is installed. */
    public static boolean available() {
        return Files.isExecutable(CERTTOOL);
    }

    /**
     * A new CA in {@code dir} and a server certificate for localhost and 127.0.0.1.
     *
     * @param keyType certtool's key type for the server key: {@code rsa} (written as PKCS#1) or
     *     {@code ecdsa} (SEC 1)
     */
    public static TestCertificates create(Path dir, String keyType) throws IOException, InterruptedException {
        TestCertificates c = new TestCertificates(Files.createDirectories(dir));
        c.key(dir.resolve("ca-key.pem"), "rsa");
        c.template("ca.info", "cn = \"jdm test CA " + dir.getFileName() + "\"", "ca", "cert_signing_key", "expiration_days = 30");
        c.certtool("--generate-self-signed", "--load-privkey", dir.resolve("ca-key.pem").toString(),
                "--template", dir.resolve("ca.info").toString(), "--outfile", dir.resolve("ca-cert.pem").toString());
        Path server = Files.createDirectories(dir.resolve("server"));
        Files.copy(dir.resolve("ca-cert.pem"), server.resolve("ca-cert.pem"));
        c.issue(server.resolve("server-key.pem"), server.resolve("server-cert.pem"), keyType,
                "cn = \"localhost\"", "dns_name = \"localhost\"", "ip_address = \"127.0.0.1\"", "tls_www_server",
                "signing_key", "encryption_key", "expiration_days = 30");
        return c;
    }

    /** The directory to give the server ({@code --nbd-tls-certificates}). */
    public Path serverDir() {
        return dir.resolve("server");
    }

    /** This CA's certificate. */
    public Path caCert() {
        return dir.resolve("ca-cert.pem");
    }

    /** A client directory trusting this CA, with a certificate for {@code CN=cn} issued by this CA. */
    public Path client(String cn) throws IOException, InterruptedException {
        return client(cn, this, false);
    }

    /** A client directory trusting this CA, with a certificate issued by {@code issuer}. */
    public Path clientSignedBy(TestCertificates issuer, String cn) throws IOException, InterruptedException {
        return client(cn, issuer, false);
    }

    /** A client directory trusting this CA, with a certificate that expired in 2021. */
    public Path expiredClient(String cn) throws IOException, InterruptedException {
        return client(cn, this, true);
    }

    private Path client(String cn, TestCertificates issuer, boolean expired) throws IOException, InterruptedException {
        Path c = Files.createDirectories(dir.resolve("client-" + cn + (issuer != this ? "-foreign" : "") + (expired ? "-expired" : "")));
        Files.copy(caCert(), c.resolve("ca-cert.pem"));
        List<String> t = new ArrayList<>(List.of("cn = \"" + cn + "\"", "tls_www_client", "signing_key", "encryption_key"));
        t.addAll(expired ? List.of("activation_date = \"2020-01-01 00:00:00\"", "expiration_date = \"2021-01-01 00:00:00\"")
                : List.of("expiration_days = 30"));
        issuer.issue(c.resolve("client-key.pem"), c.resolve("client-cert.pem"), "rsa", t.toArray(String[]::new));
        return c;
    }

    private void issue(Path key, Path cert, String keyType, String... template) throws IOException, InterruptedException {
        key(key, keyType);
        Path info = template(cert.getFileName() + ".info", template);
        certtool("--generate-certificate", "--load-privkey", key.toString(), "--load-ca-certificate", caCert().toString(),
                "--load-ca-privkey", dir.resolve("ca-key.pem").toString(), "--template", info.toString(), "--outfile", cert.toString());
    }

    private void key(Path key, String type) throws IOException, InterruptedException {
        certtool("--generate-privkey", "--key-type=" + type, "--outfile", key.toString());
    }

    private Path template(String name, String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    /** A JDK client context presenting {@code clientDir}'s certificate and trusting its {@code ca-cert.pem}. */
    public static SSLContext clientContext(Path clientDir) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        Certificate[] chain = cf.generateCertificates(Files.newInputStream(clientDir.resolve("client-cert.pem"))).toArray(Certificate[]::new);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("client", PemKeys.parse(Files.readString(clientDir.resolve("client-key.pem"), StandardCharsets.ISO_8859_1)),
                new char[0], chain);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", cf.generateCertificate(Files.newInputStream(clientDir.resolve("ca-cert.pem"))));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** Runs certtool; fails with its output if it fails. */
    public static String certtool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(CERTTOOL.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}

package dev.jdm.host.export.nbd.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Private keys as certtool and openssl write them parse to the key their certificate holds: each
 * key signs, and the certificate made from it by the same tool verifies the signature.
 */
class PemKeysTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1} ({2})")
    @CsvSource({
        "certtool, rsa, RSA PRIVATE KEY",
        "certtool, ecdsa, EC PRIVATE KEY",
        "certtool, ed25519, PRIVATE KEY",
        "openssl, RSA, PRIVATE KEY",
        "openssl, EC, PRIVATE KEY",
    })
    void shouldReadKeysAsTheToolsWriteThem(String tool, String type, String block) throws Exception {
        Path key = dir.resolve("key.pem");
        Path cert = dir.resolve("cert.pem");
        if (tool.equals("certtool")) {
            assumeTrue(TestCertificates.available(), "certtool (gnutls-bin) is not installed");
            TestCertificates.certtool("--generate-privkey", "--key-type=" + type, "--outfile", key.toString());
            Files.writeString(dir.resolve("t.info"), "cn = \"k\"\nexpiration_days = 1\nsigning_key\n");
            TestCertificates.certtool("--generate-self-signed", "--load-privkey", key.toString(), "--template",
                    dir.resolve("t.info").toString(), "--outfile", cert.toString());
        } else {
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
            run(List.of("openssl", "genpkey", "-algorithm", type).stream().toList(), type.equals("EC")
                    ? List.of("-pkeyopt", "ec_paramgen_curve:P-384", "-out", key.toString()) : List.of("-out", key.toString()));
            run(List.of("openssl", "req", "-new", "-x509", "-key", key.toString(), "-subj", "/CN=k", "-days", "1", "-out", cert.toString()),
                    List.of());
        }
        String pem = Files.readString(key);
        assertThat(pem).contains("-----BEGIN " + block + "-----");
        PrivateKey k = PemKeys.parse(pem);
        X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(cert)));
        String alg = switch (k.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> k.getAlgorithm();
        };
        byte[] data = "sign me".getBytes(StandardCharsets.UTF_8);
        Signature s = Signature.getInstance(alg);
        s.initSign(k);
        s.update(data);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance(alg);
        v.initVerify(c.getPublicKey());
        v.update(data);
        assertThat(v.verify(sig)).as("the parsed key is the certificate's").isTrue();
    }

    @Test
    void shouldRefuseEncryptedKeysSayingHowToDecrypt() throws Exception {
        assumeTrue(TestCertificates.available(), "certtool (gnutls-bin) is not installed");
        Path key = dir.resolve("enc.pem");
        TestCertificates.certtool("--generate-privkey", "--pkcs8", "--password=secret", "--outfile", key.toString());
        assertThatThrownBy(() -> PemKeys.parse(Files.readString(key))).hasMessageContaining("encrypted").hasMessageContaining("openssl pkey");
    }

    @Test
    void shouldSayWhatIsMissing() {
        assertThatThrownBy(() -> PemKeys.parse("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
                .hasMessageContaining("no PRIVATE KEY");
        assertThatThrownBy(() -> PemKeys.parse("-----BEGIN EC PRIVATE KEY-----\nMAA=\n-----END EC PRIVATE KEY-----\n"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void run(List<String> cmd, List<String> more) throws Exception {
        List<String> all = new java.util.ArrayList<>(cmd);
        all.addAll(more);
        Process p = new ProcessBuilder(all).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(String.join(" ", all) + ": " + out).isTrue();
    }
}

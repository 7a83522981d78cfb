package dev.jdm.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Signs sweep reports with an Ed25519 key (RFC 8032) kept in the state directory, and checks them.
 *
 * <p>A signed report is {@code {"report": {...}, "signature": {"algorithm", "key", "keyId",
 * "value"}}}; the signature covers the canonical bytes of {@code report} ({@link Json#canonical}).
 * The key pair is made on first use: {@code sweep/report-key} (PKCS#8, base64, mode 0600) and
 * {@code sweep/report-key.pub} (X.509, base64), which can be copied to wherever reports are checked.
 */
public final class ReportSigner {
    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private ReportSigner(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** The private key file in a state directory. */
    public static Path keyFile(Path stateDir) {
        return stateDir.resolve("sweep").resolve("report-key");
    }

    /** The public key file in a state directory. */
    public static Path publicKeyFile(Path stateDir) {
        return stateDir.resolve("sweep").resolve("report-key.pub");
    }

    /** Loads the state directory's key pair, making it on first use. */
    public static ReportSigner loadOrCreate(Path stateDir) {
        Path priv = keyFile(stateDir);
        Path pub = publicKeyFile(stateDir);
        try {
            if (!Files.exists(priv)) {
                Files.createDirectories(priv.getParent());
                KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                try {
                    try (var ch = Files.newByteChannel(priv, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                        ch.write(java.nio.ByteBuffer.wrap(b64(kp.getPrivate().getEncoded()))); // 0600 from the start, never wider
                    }
                    Files.write(pub, b64(kp.getPublic().getEncoded()));
                    return new ReportSigner(kp.getPrivate(), kp.getPublic());
                } catch (FileAlreadyExistsException raced) {
                    // another run made it first: use theirs
                }
            }
            KeyFactory kf = KeyFactory.getInstance("Ed25519");
            PrivateKey p = kf.generatePrivate(new PKCS8EncodedKeySpec(unb64(Files.readString(priv))));
            return new ReportSigner(p, readPublicKey(pub));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new SweepException("EIO", priv + ": cannot load or create the report signing key (" + e.getMessage() + ")");
        }
    }

    /** Reads a public key file ({@code report-key.pub}). */
    public static PublicKey readPublicKey(Path file) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(unb64(Files.readString(file))));
        } catch (NoSuchFileException e) {
            throw new SweepException("ENOENT", file + ": no such public key file");
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new SweepException("EINVAL", file + ": not an Ed25519 public key (" + e.getMessage() + ")");
        }
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** {@code SHA256:} and the base64 digest of the encoded public key, as ssh-keygen -l shows keys. */
    public static String keyId(PublicKey key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The signed JSON of a report. */
    public byte[] sign(SweepReport report) {
        try {
            ObjectNode root = Json.MAPPER.createObjectNode();
            JsonNode body = Json.MAPPER.valueToTree(report);
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(Json.canonical(body));
            ObjectNode sig = Json.MAPPER.createObjectNode();
            sig.put("algorithm", "Ed25519");
            sig.put("key", Base64.getEncoder().encodeToString(publicKey.getEncoded()));
            sig.put("keyId", keyId(publicKey));
            sig.put("value", Base64.getEncoder().encodeToString(s.sign()));
            root.set("report", body);
            root.set("signature", sig);
            return Json.MAPPER.writeValueAsBytes(root);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the report: " + e.getMessage(), e);
        }
    }

    /** A report whose signature held. */
    public record Checked(SweepReport report, String keyId, boolean trusted) {}

    /**
     * Checks a signed report file.
     *
     * @param trusted the key it must be signed by, or null to accept the key it names (then
     *     {@link Checked#trusted()} is false and the caller must say so)
     * @throws SweepException ENOENT/EACCES/EINVAL when the file cannot be read as a report;
     *     EBADMSG when the signature does not match its contents or the trusted key
     */
    public static Checked check(Path file, PublicKey trusted) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SweepException("ENOENT", file + ": no such report");
        } catch (AccessDeniedException e) {
            throw new SweepException("EACCES", file + ": permission denied");
        } catch (IOException e) {
            throw new SweepException("EIO", file + ": cannot read (" + e.getMessage() + ")");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SweepException("EINVAL", file + ": not a JSON sweep report (" + firstLine(e) + ")");
        }
        JsonNode body = root == null ? null : root.get("report");
        JsonNode sig = root == null ? null : root.get("signature");
        if (body == null || !body.isObject() || sig == null) {
            throw new SweepException("EINVAL", file + ": not a signed jdm sweep report (the .json file is the one to check)");
        }
        String format = body.path("format").asText();
        if (!SweepReport.FORMATS.contains(format)) {
            throw new SweepException("EINVAL", file + ": report format \"" + format + "\" is not one this jdm reads ("
                    + String.join(", ", SweepReport.FORMATS) + "); check it with the jdm that wrote it, or a newer one");
        }
        if (!"Ed25519".equals(sig.path("algorithm").asText())) {
            throw new SweepException("EINVAL", file + ": unsupported signature algorithm \"" + sig.path("algorithm").asText() + "\"");
        }
        PublicKey named;
        boolean ok;
        try {
            named = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(sig.path("key").asText())));
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(trusted != null ? trusted : named);
            s.update(Json.canonical(body));
            ok = s.verify(Base64.getDecoder().decode(sig.path("value").asText()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SweepException("EBADMSG", file + ": the signature is malformed (" + e.getMessage() + ")");
        }
        if (!ok) {
            throw new SweepException("EBADMSG", file + ": the signature does not match: the report was changed after it was signed"
                    + (trusted != null && !keyId(trusted).equals(keyId(named)) ? ", or signed by another key than " + keyId(trusted) : ""));
        }
        SweepReport report;
        try {
            report = Json.MAPPER.treeToValue(body, SweepReport.class);
        } catch (IOException e) {
            throw new SweepException("EINVAL", file + ": signed, but not a readable report (" + firstLine(e) + ")");
        }
        return new Checked(report, keyId(trusted != null ? trusted : named), trusted != null);
    }

    private static String firstLine(IOException e) {
        String m = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    private static byte[] b64(byte[] raw) {
        return (Base64.getEncoder().encodeToString(raw) + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] unb64(String text) {
        return Base64.getDecoder().decode(text.strip());
    }
}

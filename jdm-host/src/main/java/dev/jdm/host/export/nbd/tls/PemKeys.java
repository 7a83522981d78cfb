package dev.jdm.host.export.nbd.tls;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Private keys in the PEM forms that certtool and openssl write (RFC 7468): PKCS#8
 * ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}, RFC 8017 A.1.2) and SEC 1
 * ({@code EC PRIVATE KEY}, RFC 5915). The JDK's KeyFactory reads PKCS#8 only, so the other two are
 * wrapped in a PKCS#8 PrivateKeyInfo (RFC 5208) first. Encrypted keys are refused: the host has no
 * passphrase to give.
 */
final class PemKeys {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
    /** DER of the AlgorithmIdentifier for rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d,
        0x01, 0x01, 0x01, 0x05, 0x00};
    /** DER of the OID id-ecPublicKey (1.2.840.10045.2.1). */
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private PemKeys() {}

    /**
     * The first private key in {@code pem}.
     *
     * @throws IllegalArgumentException naming what was found instead
     */
    static PrivateKey parse(String pem) {
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the " + type + " block is not base64");
            }
            switch (type) {
                case "PRIVATE KEY" -> {
                    return pkcs8(der, List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"));
                }
                case "RSA PRIVATE KEY" -> {
                    return pkcs8(privateKeyInfo(RSA_ALGORITHM, der), List.of("RSA"));
                }
                case "EC PRIVATE KEY" -> {
                    return pkcs8(privateKeyInfo(ecAlgorithm(der), der), List.of("EC"));
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(
                        "the key is encrypted and the host has no passphrase to give; decrypt it with openssl pkey -in KEY -out KEY");
                default -> { } // certificates or parameters before the key: look further
            }
        }
        throw new IllegalArgumentException("no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block found");
    }

    private static PrivateKey pkcs8(byte[] der, List<String> algorithms) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String a : algorithms) {
            try {
                return KeyFactory.getInstance(a).generatePrivate(spec);
            } catch (GeneralSecurityException | IllegalArgumentException wrongAlgorithm) {
                // the next algorithm may take it
            }
        }
        throw new IllegalArgumentException("the key is none of " + String.join(", ", algorithms) + ", or it is damaged");
    }

    /** PrivateKeyInfo ::= SEQUENCE { version INTEGER 0, algorithm AlgorithmIdentifier, privateKey OCTET STRING }. */
    private static byte[] privateKeyInfo(byte[] algorithm, byte[] key) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(algorithm);
        body.writeBytes(tlv(0x04, key));
        return tlv(0x30, body.toByteArray());
    }

    /**
     * The AlgorithmIdentifier for a SEC 1 key, whose curve is in its {@code [0] parameters} field:
     * ECPrivateKey ::= SEQUENCE { version INTEGER 1, privateKey OCTET STRING, [0] ECParameters, [1] BIT STRING }.
     */
    private static byte[] ecAlgorithm(byte[] sec1) {
        Der seq = new Der(sec1, 0).enter(0x30);
        Der version = seq.next(0x02);
        Der field = version.after().next(0x04).after();
        while (field.hasMore() && field.tag() != 0xa0) {
            field = field.after();
        }
        if (!field.hasMore()) {
            throw new IllegalArgumentException("the EC PRIVATE KEY does not name its curve; convert it with openssl pkey");
        }
        byte[] curve = field.enter(0xa0).next(0x06).whole();
        ByteArrayOutputStream alg = new ByteArrayOutputStream();
        alg.writeBytes(EC_PUBLIC_KEY);
        alg.writeBytes(curve);
        return tlv(0x30, alg.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    /** A cursor on one DER element (X.690): tag, length, value; just enough to find a curve. */
    private record Der(byte[] b, int at, int end) {
        Der(byte[] b, int at) {
            this(b, at, b.length);
        }

        boolean hasMore() {
            return at < end;
        }

        int tag() {
            check(at < end);
            return b[at] & 0xff;
        }

        private int lengthAt() {
            check(at + 1 < end);
            int first = b[at + 1] & 0xff;
            if (first < 0x80) {
                return first;
            }
            int n = first & 0x7f;
            check(n >= 1 && n <= 3 && at + 1 + n < end);
            int len = 0;
            for (int i = 0; i < n; i++) {
                len = len << 8 | (b[at + 2 + i] & 0xff);
            }
            return len;
        }

        private int headerLength() {
            int first = b[at + 1] & 0xff;
            return first < 0x80 ? 2 : 2 + (first & 0x7f);
        }

        private int valueEnd() {
            int e = at + headerLength() + lengthAt();
            check(e <= end);
            return e;
        }

        /** This element, which must have tag {@code t}, as a cursor on its first child. */
        Der enter(int t) {
            check(tag() == t);
            return new Der(b, at + headerLength(), valueEnd());
        }

        /** This element, checked to have tag {@code t}. */
        Der next(int t) {
            check(tag() == t);
            return this;
        }

        /** The element after this one, within the same parent. */
        Der after() {
            return new Der(b, valueEnd(), end);
        }

        /** This element's bytes, header included. */
        byte[] whole() {
            return java.util.Arrays.copyOfRange(b, at, valueEnd());
        }

        private static void check(boolean ok) {
            if (!ok) {
                throw new IllegalArgumentException("the EC PRIVATE KEY is not well-formed DER");
            }
        }
    }
}

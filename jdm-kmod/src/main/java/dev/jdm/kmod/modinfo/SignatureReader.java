package dev.jdm.kmod.modinfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Finds and decodes the signature appended to a module image, as libkmod's
 * {@code kmod_module_signature_info} does (with its OpenSSL PKCS#7 backend).
 *
 * <pre>
 *   [ module ELF ][ signer ][ key id ][ signature (PKCS#7 DER) ][ struct module_signature ][ magic ]
 * </pre>
 * Anything that does not parse means "no signature", exactly as in kmod: modinfo then simply
 * prints no signature fields.
 */
public final class SignatureReader {
    static final byte[] MAGIC = "~Module signature appended~\n".getBytes(StandardCharsets.US_ASCII);

    /** {@code struct module_signature}: algo, hash, id_type, signer_len, key_id_len, pad[3], be32 sig_len. */
    static final int STRUCT_SIZE = 12;
    static final int ALGO = 0;
    static final int HASH = 1;
    static final int ID_TYPE = 2;
    static final int SIGNER_LEN = 3;
    static final int KEY_ID_LEN = 4;
    static final int SIG_LEN = 8;

    // Indexes into these arrays are the kernel's enum pkey_hash_algo / pkey_id_type values.
    private static final String[] HASH_ALGOS = {"md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224", "sm3"};
    private static final String[] ID_TYPES = {"PGP", "X509", "PKCS#7"};
    private static final int ALGO_LAST = 2;
    private static final int ID_PKCS7 = 2;

    private static final Map<String, String> DIGEST_OIDS = Map.of(
            "1.2.840.113549.2.4", "md4",
            "1.2.840.113549.2.5", "md5",
            "1.3.14.3.2.26", "sha1",
            "1.3.36.3.2.1", "rmd160",
            "2.16.840.1.101.3.4.2.1", "sha256",
            "2.16.840.1.101.3.4.2.2", "sha384",
            "2.16.840.1.101.3.4.2.3", "sha512",
            "2.16.840.1.101.3.4.2.4", "sha224",
            "1.2.156.10197.1.401", "sm3");
    private static final String OID_COMMON_NAME = "2.5.4.3";

    private SignatureReader() {
    }

    /** The appended signature of a module image, if there is one that kmod would show. */
    public static Optional<ModuleSignature> read(ByteBuffer image) {
        ByteBuffer buf = image.duplicate().order(ByteOrder.BIG_ENDIAN);
        long size = buf.limit() - MAGIC.length;
        if (size < 0) {
            return Optional.empty();
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (buf.get((int) size + i) != MAGIC[i]) {
                return Optional.empty();
            }
        }
        if (size < STRUCT_SIZE) {
            return Optional.empty();
        }
        size -= STRUCT_SIZE;
        int at = (int) size;
        int algo = buf.get(at + ALGO) & 0xff;
        int hash = buf.get(at + HASH) & 0xff;
        int idType = buf.get(at + ID_TYPE) & 0xff;
        int signerLen = buf.get(at + SIGNER_LEN) & 0xff;
        int keyIdLen = buf.get(at + KEY_ID_LEN) & 0xff;
        long sigLen = buf.getInt(at + SIG_LEN) & 0xffffffffL;
        if (algo >= ALGO_LAST || hash >= HASH_ALGOS.length || idType >= ID_TYPES.length) {
            return Optional.empty();
        }
        if (sigLen == 0 || size < signerLen + keyIdLen + sigLen) {
            return Optional.empty();
        }
        int sigAt = (int) (size - sigLen);
        byte[] sig = slice(buf, sigAt, (int) sigLen);
        if (idType == ID_PKCS7) {
            return pkcs7(sig);
        }
        byte[] keyId = slice(buf, sigAt - keyIdLen, keyIdLen);
        byte[] signer = slice(buf, sigAt - keyIdLen - signerLen, signerLen);
        return Optional.of(new ModuleSignature(ID_TYPES[idType], new String(signer, StandardCharsets.ISO_8859_1),
                keyId, HASH_ALGOS[hash], sig));
    }

    private static byte[] slice(ByteBuffer buf, int at, int len) {
        byte[] out = new byte[len];
        buf.get(at, out);
        return out;
    }

    /** Walks ContentInfo → SignedData → first SignerInfo, like kmod's fill_pkcs7(). */
    private static Optional<ModuleSignature> pkcs7(byte[] der) {
        try {
            Der d = new Der(der);
            Der.Tlv contentInfo = d.expect(Der.SEQUENCE, 0, der.length);
            Der.Tlv type = d.expect(Der.OID, contentInfo.start(), contentInfo.end());
            Der.Tlv explicit = d.expect(Der.CONTEXT_0, type.end(), contentInfo.end());
            Der.Tlv signedData = d.expect(Der.SEQUENCE, explicit.start(), explicit.end());
            int p = signedData.start();
            int end = signedData.end();
            Der.Tlv t = d.expect(Der.INTEGER, p, end);          // version
            t = d.expect(Der.SET, t.end(), end);                // digestAlgorithms
            t = d.expect(Der.SEQUENCE, t.end(), end);           // contentInfo
            t = d.read(t.end(), end);
            while (t.tag() == 0xa0 || t.tag() == 0xa1) {          // [0] certificates, [1] crls
                t = d.read(t.end(), end);
            }
            if (t.tag() != Der.SET) {
                return Optional.empty();
            }
            Der.Tlv signerInfo = d.expect(Der.SEQUENCE, t.start(), t.end());
            return Optional.of(signerInfo(d, signerInfo));
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }

    private static ModuleSignature signerInfo(Der d, Der.Tlv si) {
        int end = si.end();
        Der.Tlv version = d.expect(Der.INTEGER, si.start(), end);
        Der.Tlv issuerAndSerial = d.expect(Der.SEQUENCE, version.end(), end);
        Der.Tlv issuer = d.expect(Der.SEQUENCE, issuerAndSerial.start(), issuerAndSerial.end());
        Der.Tlv serial = d.expect(Der.INTEGER, issuer.end(), issuerAndSerial.end());
        Der.Tlv digestAlg = d.expect(Der.SEQUENCE, issuerAndSerial.end(), end);
        String hash = DIGEST_OIDS.get(d.oid(d.expect(Der.OID, digestAlg.start(), digestAlg.end())));
        if (hash == null) {
            throw new IllegalArgumentException("unknown digest algorithm");
        }
        Der.Tlv t = d.read(digestAlg.end(), end);
        if (t.tag() == Der.CONTEXT_0) {                          // authenticatedAttributes
            t = d.read(t.end(), end);
        }
        Der.Tlv encryptedDigest = d.expect(Der.OCTET_STRING, t.end(), end); // after digestEncryptionAlgorithm
        return new ModuleSignature("PKCS#7", commonName(d, issuer), unsignedBytes(d.content(serial)), hash,
                d.content(encryptedDigest));
    }

    /** The first commonName in an X.509 Name (X509_NAME_get_index_by_NID(NID_commonName)). */
    private static String commonName(Der d, Der.Tlv name) {
        for (int p = name.start(); p < name.end(); ) {
            Der.Tlv rdn = d.expect(Der.SET, p, name.end());
            for (int q = rdn.start(); q < rdn.end(); ) {
                Der.Tlv atv = d.expect(Der.SEQUENCE, q, rdn.end());
                Der.Tlv oid = d.expect(Der.OID, atv.start(), atv.end());
                if (OID_COMMON_NAME.equals(d.oid(oid))) {
                    return new String(d.content(d.read(oid.end(), atv.end())), StandardCharsets.ISO_8859_1);
                }
                q = atv.end();
            }
            p = rdn.end();
        }
        return "";
    }

    /** Serial as OpenSSL's BN_bn2bin writes it: big-endian magnitude, no leading zero bytes. */
    private static byte[] unsignedBytes(byte[] integer) {
        int i = 0;
        while (i < integer.length && integer[i] == 0) {
            i++;
        }
        byte[] out = new byte[integer.length - i];
        System.arraycopy(integer, i, out, 0, out.length);
        return out;
    }
}

package dev.jdm.kmod.modinfo;

/**
 * An appended module signature ({@code ~Module signature appended~}).
 *
 * @param idType   "PKCS#7", "X509" or "PGP" ({@code struct module_signature.id_type})
 * @param signer   the signer's name (PKCS#7: the issuer's common name)
 * @param keyId    key identifier bytes (PKCS#7: the issuer serial number)
 * @param hashAlgo digest algorithm name as kmod prints it, e.g. "sha256"
 * @param signature raw signature bytes
 */
public record ModuleSignature(String idType, String signer, byte[] keyId, String hashAlgo, byte[] signature) {

    /** Colon-separated upper-case hex, wrapped every 20 bytes with "\n\t\t" (kmod_module_hex_to_str). */
    public static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 3 + bytes.length / 20 * 3);
        for (int i = 0; i < bytes.length; i++) {
            sb.append(Character.toUpperCase(Character.forDigit((bytes[i] >> 4) & 0xf, 16)));
            sb.append(Character.toUpperCase(Character.forDigit(bytes[i] & 0xf, 16)));
            if (i < bytes.length - 1) {
                sb.append(':');
                if ((i + 1) % 20 == 0) {
                    sb.append("\n\t\t");
                }
            }
        }
        return sb.toString();
    }
}

package dev.jdm.kmod.modinfo;

/**
 * A minimal, bounds-checked DER reader: enough of ASN.1 to walk a PKCS#7 SignedData.
 * Every method throws {@link IllegalArgumentException} on malformed input; callers turn that
 * into "no signature information", as libkmod does when OpenSSL cannot parse it.
 */
final class Der {
    static final int SEQUENCE = 0x30;
    static final int SET = 0x31;
    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int OID = 0x06;
    static final int CONTEXT_0 = 0xa0;

    /** One element: tag, and the content's [start, end) in the buffer. */
    record Tlv(int tag, int start, int end) {
        int length() {
            return end - start;
        }
    }

    private final byte[] buf;

    Der(byte[] buf) {
        this.buf = buf;
    }

    byte[] buffer() {
        return buf;
    }

    /** Reads the element at {@code at}, which must lie within {@code limit}. */
    Tlv read(int at, int limit) {
        if (at < 0 || at + 2 > limit || limit > buf.length) {
            throw new IllegalArgumentException("truncated DER element at " + at);
        }
        int tag = buf[at] & 0xff;
        if ((tag & 0x1f) == 0x1f) {
            throw new IllegalArgumentException("multi-byte DER tags are not used in PKCS#7");
        }
        int len = buf[at + 1] & 0xff;
        int p = at + 2;
        if (len >= 0x80) {
            int n = len & 0x7f;
            if (n == 0 || n > 4 || p + n > limit) {
                throw new IllegalArgumentException("bad DER length at " + at);
            }
            long l = 0;
            for (int i = 0; i < n; i++) {
                l = (l << 8) | (buf[p++] & 0xff);
            }
            if (l > limit - p) {
                throw new IllegalArgumentException("DER element at " + at + " overruns its container");
            }
            len = (int) l;
        } else if (len > limit - p) {
            throw new IllegalArgumentException("DER element at " + at + " overruns its container");
        }
        return new Tlv(tag, p, p + len);
    }

    /** Reads an element and requires its tag. */
    Tlv expect(int tag, int at, int limit) {
        Tlv t = read(at, limit);
        if (t.tag() != tag) {
            throw new IllegalArgumentException(String.format("expected DER tag 0x%02x at %d, found 0x%02x", tag, at, t.tag()));
        }
        return t;
    }

    byte[] content(Tlv t) {
        byte[] out = new byte[t.length()];
        System.arraycopy(buf, t.start(), out, 0, out.length);
        return out;
    }

    /** Dotted form of an OBJECT IDENTIFIER's content. */
    String oid(Tlv t) {
        StringBuilder sb = new StringBuilder();
        long v = 0;
        boolean first = true;
        for (int i = t.start(); i < t.end(); i++) {
            v = (v << 7) | (buf[i] & 0x7f);
            if ((buf[i] & 0x80) == 0) {
                if (first) {
                    long a = Math.min(v / 40, 2);
                    sb.append(a).append('.').append(v - a * 40);
                    first = false;
                } else {
                    sb.append('.').append(v);
                }
                v = 0;
            }
        }
        return sb.toString();
    }
}

package dev.jdm.host.gate;

import dev.jdm.gate.Frames;
import java.util.Set;

/**
 * The largest frame each call may be. Only the calls that carry a module JAR, a policy or block
 * data may use a whole {@link Frames#MAX_FRAME}; every other call fits in {@link #SMALL}. The call
 * is known from the first field tag at or above {@link #FIRST_CALL_FIELD} (gate.proto's
 * {@code oneof call}), which protobuf writers put after {@code version} and {@code id}, so the
 * limit is decided from the first few bytes, before the body is held.
 */
final class CallSizes {
    /** Limit for calls that carry no bulk data. */
    static final int SMALL = 1 << 20;
    /** gate.proto: the lowest field number in {@code Request.call}. */
    static final int FIRST_CALL_FIELD = 10;
    /** insmod (12) and sec_replace (41) as version 1 clients send them (JAR inline), sec_reload (42), blk_io (101). */
    private static final Set<Integer> LARGE = Set.of(12, 41, 42, 101);

    private CallSizes() {}

    /** The limit for a frame whose call has field number {@code field}. */
    static int limit(int field) {
        return LARGE.contains(field) ? Frames.MAX_FRAME : SMALL;
    }

    /**
     * The call's field number from a frame's first bytes, 0 if those bytes end before it appears,
     * or -1 if they are not a protobuf Request prefix.
     */
    static int callField(byte[] b, int length) {
        int p = 0;
        while (p < length) {
            long[] tag = varint(b, p, length);
            if (tag == null) {
                return 0;
            }
            p = (int) tag[1];
            int field = (int) (tag[0] >>> 3);
            int wire = (int) (tag[0] & 7);
            if (field >= FIRST_CALL_FIELD) {
                return field;
            }
            if (wire != 0) { // version and id are varints; anything else before the call is not ours
                return -1;
            }
            long[] value = varint(b, p, length);
            if (value == null) {
                return 0;
            }
            p = (int) value[1];
        }
        return 0;
    }

    /** {value, next position}, or null if the varint runs past {@code length}. */
    private static long[] varint(byte[] b, int p, int length) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= length) {
                return null;
            }
            int x = b[p++] & 0xff;
            v |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return new long[] {v, p};
            }
        }
        return new long[] {-1, p}; // over-long varint: a field number no call has
    }
}

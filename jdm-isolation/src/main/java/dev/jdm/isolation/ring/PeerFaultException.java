package dev.jdm.isolation.ring;

/**
 * Something the peer wrote into shared memory is out of range, so it is refused rather than used:
 * the peer may be a crashed or hostile driver. The message names the structure, the field, the value
 * found and what was allowed, e.g. {@code request ring: bufferIndex is 4096, expected in [0, 64)}.
 */
public final class PeerFaultException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String where;
    private final String field;

    public PeerFaultException(String where, String field, long found, String expected) {
        super(where + ": " + field + " is " + found + ", expected " + expected);
        this.where = where;
        this.field = field;
    }

    /** The structure: {@code request ring}, {@code completion ring}, {@code region header}. */
    public String where() {
        return where;
    }

    /** The offending field, as in {@link RingLayout}: {@code tail}, {@code bufferIndex}, ... */
    public String field() {
        return field;
    }
}

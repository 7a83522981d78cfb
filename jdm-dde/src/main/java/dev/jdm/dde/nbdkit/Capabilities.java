package dev.jdm.dde.nbdkit;

/**
 * What a connection offers, as nbdkit's server would advertise it to an NBD client after asking
 * the plugin's {@code can_*} callbacks and applying its own rules (a read-only connection offers
 * no trim, zero or FUA; zeroes are always offered on a writable one, emulated by pwrite if need
 * be).
 */
public record Capabilities(boolean write, boolean flush, boolean trim, boolean zero, boolean fastZero,
        Fua fua, boolean extents, boolean multiConn, Cache cache, boolean rotational) {

    /** {@code NBDKIT_FUA_*}: how Forced Unit Access is honoured. */
    public enum Fua {
        /** Not offered. */
        NONE,
        /** Offered; done by a flush after the write. */
        EMULATE,
        /** Offered; the plugin gets the flag. */
        NATIVE
    }

    /** {@code NBDKIT_CACHE_*}: how cache (prefetch) requests are served. */
    public enum Cache {
        /** Refused. */
        NONE,
        /** By reading and discarding. */
        EMULATE,
        /** By the plugin's {@code .cache}, or a no-op without one. */
        NATIVE
    }
}

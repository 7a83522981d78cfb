package dev.jdm.host.security;

/**
 * The 32-bit Order:ID of a security module (LxDM-SM): Order, the module's slot in the array of
 * loaded security modules, in the high {@link #ORDER_BITS} bits; ID, given at registration and never
 * reused while the host runs (so a stale entry can never match a newer module: no ABA), in the low
 * {@link #ID_BITS} bits. ID 0 is never issued, so a zero entry matches nothing.
 */
public final class OrderId {
    /** Bits of Order: at most {@link #MAX_SLOTS} security modules loaded (live or draining) at once. */
    public static final int ORDER_BITS = 10;
    /** Bits of ID. */
    public static final int ID_BITS = 32 - ORDER_BITS;
    /** Mask of the ID part. */
    public static final int ID_MASK = (1 << ID_BITS) - 1;
    /** Slots in the loaded-modules array. */
    public static final int MAX_SLOTS = 1 << ORDER_BITS;
    /** Largest ID; after it, registration fails with ENOSPC until the host restarts. */
    public static final int MAX_ID = ID_MASK;

    private OrderId() {}

    /** Packs an Order and an ID. */
    public static int of(int order, int id) {
        return (order << ID_BITS) | id;
    }

    /** The Order part. */
    public static int order(int orderId) {
        return orderId >>> ID_BITS;
    }

    /** The ID part. */
    public static int id(int orderId) {
        return orderId & ID_MASK;
    }
}

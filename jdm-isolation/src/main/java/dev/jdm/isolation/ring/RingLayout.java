package dev.jdm.isolation.ring;

/**
 * The binary layout of one single-producer/single-consumer ring in shared memory, every offset
 * named (as Agrona's {@code RingBufferDescriptor} does). A ring is a control block followed by
 * {@code capacity} slots of {@link #SLOT_SIZE} bytes:
 *
 * <pre>
 *   0    head      long  next index the consumer reads; written only by the consumer (release)
 * 128    tail      long  next index the producer writes; written only by the producer (release)
 * 256    waiting   int   1: the consumer is about to sleep and asks for a doorbell; set by the
 *                        consumer, cleared by whichever side wins the compare-and-set
 * 384    capacity  int   number of slots, a power of two (written once by the creator)
 * 388    slotSize  int   {@link #SLOT_SIZE} (written once by the creator)
 * 512    slot[0]   ...   slot[i] at 512 + (index &amp; (capacity - 1)) * 64
 * </pre>
 *
 * Head, tail and the flag sit 128 bytes apart, not 64: the two sides write them, and the adjacent-
 * line prefetcher of x86 pulls lines in pairs, so 64 would still share a prefetched pair. Indices are
 * 64-bit counters that never wrap in practice; the slot is the index masked by the capacity.
 *
 * <p>Capacity and slot size in shared memory are informative only: each side takes them from its
 * own configuration (the host's) and checks the header once at attach, because the peer could
 * rewrite them at any time.
 */
public final class RingLayout {
    public static final int HEAD_OFFSET = 0;
    public static final int TAIL_OFFSET = 128;
    public static final int WAITING_OFFSET = 256;
    public static final int CAPACITY_OFFSET = 384;
    public static final int SLOT_SIZE_OFFSET = 388;
    public static final int SLOTS_OFFSET = 512;

    /** One slot: a {@link RequestDescriptor}, one cache line. */
    public static final int SLOT_SIZE = 64;
    public static final int SLOT_ID = 0;          // long
    public static final int SLOT_OP = 8;          // int
    public static final int SLOT_FLAGS = 12;      // int
    public static final int SLOT_OFFSET = 16;     // long
    public static final int SLOT_LENGTH = 24;     // int
    public static final int SLOT_BUFFER = 28;     // int
    public static final int SLOT_STATUS = 32;     // int; 36..63 reserved, zero

    public static final int MIN_CAPACITY = 2;
    public static final int MAX_CAPACITY = 1 << 16;

    private RingLayout() {}

    /** Bytes one ring of {@code capacity} slots takes. */
    public static long ringBytes(int capacity) {
        checkCapacity(capacity);
        return SLOTS_OFFSET + (long) capacity * SLOT_SIZE;
    }

    /** Byte offset of the slot for {@code index} within the ring. */
    public static long slotOffset(long index, int capacity) {
        return SLOTS_OFFSET + (index & (capacity - 1)) * SLOT_SIZE;
    }

    /** Refuses a capacity that is not a power of two in [2, 65536]. */
    public static void checkCapacity(int capacity) {
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two in ["
                    + MIN_CAPACITY + ", " + MAX_CAPACITY + "], not " + capacity);
        }
    }
}

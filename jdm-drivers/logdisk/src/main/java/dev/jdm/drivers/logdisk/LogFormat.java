package dev.jdm.drivers.logdisk;

/**
 * The write log's layout: a sequence of entries, each a 40-byte little-endian header, followed
 * for a WRITE by its {@code length} data bytes. Entries are in the order the device completed
 * them, as dm-log-writes logs them, so a prefix of the log is a state the disk could have been in
 * at a power cut, and {@code nanos} (System.nanoTime at completion: CLOCK_MONOTONIC, comparable
 * with the clients' clocks) places each entry in time.
 *
 * <pre>
 *   0  u32 magic   "JLOG" (0x474f4c4a)
 *   4  u16 kind    1 WRITE, 2 FLUSH, 3 ZERO (write-zeroes or discard: the range reads as zero)
 *   6  u16 flags   bit 0: FUA
 *   8  u64 seq     0, 1, 2, ... in log order
 *  16  u64 offset  bytes
 *  24  u64 length  bytes
 *  32  u64 nanos   completion time
 *  40  data        WRITE only
 * </pre>
 */
public final class LogFormat {
    public static final int MAGIC = 0x474f4c4a;
    public static final int HEADER = 40;
    public static final int MAGIC_AT = 0;
    public static final int KIND_AT = 4;
    public static final int FLAGS_AT = 6;
    public static final int SEQ_AT = 8;
    public static final int OFFSET_AT = 16;
    public static final int LENGTH_AT = 24;
    public static final int NANOS_AT = 32;
    public static final int WRITE = 1;
    public static final int FLUSH = 2;
    public static final int ZERO = 3;
    public static final int FLAG_FUA = 1;

    private LogFormat() {}

    /** Whether an entry of {@code kind} carries its data. */
    public static boolean hasData(int kind) {
        return kind == WRITE;
    }
}

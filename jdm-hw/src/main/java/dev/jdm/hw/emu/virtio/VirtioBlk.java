package dev.jdm.hw.emu.virtio;

/**
 * The block device's protocol (virtio 1.2 §5.2): feature bits, request types and status values,
 * the request's wire sizes, and the limits this device announces in its configuration.
 */
final class VirtioBlk {
    /** Feature bits (§5.2.3). */
    static final int F_SEG_MAX = 2, F_RO = 5, F_BLK_SIZE = 6, F_FLUSH = 9, F_DISCARD = 13, F_WRITE_ZEROES = 14;

    /** Request types (§5.2.6). */
    static final int T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8, T_DISCARD = 11, T_WRITE_ZEROES = 13;

    /** Status values (§5.2.6). */
    static final int S_OK = 0, S_IOERR = 1, S_UNSUPP = 2;

    /** Protocol sizes: a sector, struct virtio_blk_req's header, a discard/write-zeroes segment, the ID string. */
    static final int SECTOR = 512, HEADER = 16, SEGMENT = 16, ID_LENGTH = 20;

    /** struct virtio_blk_discard_write_zeroes flags: only unmap is defined. */
    static final int SEGMENT_UNMAP = 1;

    /**
     * Announced limits. seg_max is the queue size less the header and status descriptors, as
     * Linux shows for the real device (max_segments 254); discard is 1 GiB per range with a 4 KiB
     * alignment, as the real device's discard_max_hw_bytes and discard_granularity show.
     */
    static final int SEG_MAX = SplitVirtqueue.MAX_SIZE - 2, BLK_SIZE = 512;
    static final int MAX_DISCARD_SECTORS = 0x200000, MAX_DISCARD_SEG = 16, DISCARD_SECTOR_ALIGNMENT = 8;
    static final int MAX_WRITE_ZEROES_SECTORS = 0x200000, MAX_WRITE_ZEROES_SEG = 16;

    private VirtioBlk() {
    }

    /** The features the device offers: VERSION_1 and the block features, RO when read-only. */
    static long features(boolean readOnly) {
        long f = VirtioPci.F_VERSION_1 | bit(F_SEG_MAX) | bit(F_BLK_SIZE) | bit(F_FLUSH) | bit(F_DISCARD) | bit(F_WRITE_ZEROES);
        return readOnly ? f | bit(F_RO) : f;
    }

    static long bit(int feature) {
        return 1L << feature;
    }
}

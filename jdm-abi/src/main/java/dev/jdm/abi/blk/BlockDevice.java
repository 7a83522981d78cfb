package dev.jdm.abi.blk;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/** A registered LU, as its driver sees it. */
@Provided
public interface BlockDevice {
    /** Capability: the LU refuses writes, write-zeroes and discards ({@link BlockStatus#EROFS}). */
    int READ_ONLY = 1;
    /** Capability: FLUSH does something (a volatile cache exists); without it FLUSH completes at once. */
    int FLUSH = 2;
    /** Capability: the driver honours {@link BlockRequest#FUA}; without it the host follows such writes with a FLUSH. */
    int FUA = 4;
    /** Capability: DISCARD reaches the driver; without it the host completes discards as no-ops. */
    int DISCARD = 8;
    /** Capability: WRITE_ZEROES reaches the driver; without it the host writes zero buffers. */
    int WRITE_ZEROES = 16;
    /** Capability: WRITE_ZEROES is fast (unmapping or metadata only), so FAST_ZERO requests are honoured. */
    int FAST_ZERO = 32;
    /** Capability: seeks are expensive (a spinning disk). */
    int ROTATIONAL = 64;
    /** Writes below this many bytes are refused unless the driver or an administrator changes it. */
    long DEFAULT_BOOT_GUARD = 0x10000;

    /** The LU's name, e.g. {@code ram0}. */
    String name();

    /** Size in bytes. */
    long size();

    /** The current boot-area guard in bytes. */
    long bootGuard();

    /**
     * Lowers or raises the boot-area guard: writes overlapping {@code [0, bytes)} are refused. The
     * change is logged with the module's name.
     *
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    void bootGuard(long bytes);

    /** Removes the LU (and its partitions); requests in flight still complete. Idempotent. */
    void remove();

    /** Describes an LU before it is registered. */
    @Provided
    interface Builder {
        /** Size in bytes, a multiple of the logical block size (required). */
        Builder size(long bytes);

        /** Logical block size: 512, 1024, 2048 or 4096 (default 512). */
        Builder logicalBlockSize(int bytes);

        /** Physical block size: a power of two, at least the logical one (default: the logical one). */
        Builder physicalBlockSize(int bytes);

        /** Capabilities: {@link #READ_ONLY}, {@link #FLUSH}, ... or'ed (default 0). */
        Builder capabilities(int flags);

        /** Boot-area guard in bytes (default {@link #DEFAULT_BOOT_GUARD}). */
        Builder bootGuard(long bytes);

        /** Where the LU's holes are (default: none known, all of it is data). */
        @Since("JDM_1.2")
        Builder extents(BlockExtents source);

        /**
         * Registers the LU with {@code driver}; it is visible at once and its partitions are scanned.
         *
         * @throws IllegalArgumentException naming the bad value
         * @throws IllegalStateException if the name is taken
         */
        BlockDevice register(BlockDriver driver);

        /**
         * Registers the LU with an asynchronous, batched driver; otherwise as {@link #register}.
         *
         * @throws IllegalArgumentException naming the bad value
         * @throws IllegalStateException if the name is taken
         */
        @Since("JDM_1.1")
        BlockDevice registerQueue(BlockQueueDriver driver);
    }
}

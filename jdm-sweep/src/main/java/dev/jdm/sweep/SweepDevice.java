package dev.jdm.sweep;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * A block device or partition the sweeper may read and write: a block-layer LU in the host, an LU
 * reached through the call gate, or a {@link MemorySweepDevice}.
 *
 * <p>Offsets and lengths given to the I/O methods are multiples of {@link #logicalBlockSize()} and
 * lie within {@code [0, size())}; the sweeper never asks for anything else, and an implementation
 * refuses anything else with {@code EINVAL}. An implementation may apply its own boot-area guard as
 * well; the sweeper does not rely on it, it plans around {@link #guardLimit()} itself.
 *
 * <p>Durability: data passed to {@link #write} or {@link #writeZeroes} is durable once a later
 * {@link #flush()} has returned, or at once when {@code fua} was set. The sweeper records progress
 * only after a flush, so a crash loses at most what was written since the last one.
 *
 * <p>I/O methods may be called from any thread, one call at a time per device. Errors are thrown as
 * {@link SweepException} carrying the errno ({@code EIO} for a medium error).
 */
public interface SweepDevice extends AutoCloseable {
    /** The boot-area guard of a whole device unless its driver lowered it: the first 64 KiB. */
    long DEFAULT_GUARD = 0x10000;

    /** The name it is listed and targeted by ({@code ram0}, {@code ram0p2}). */
    String name();

    /** Size in bytes. */
    long size();

    /** The logical block size in bytes, a power of two (512, 4096). */
    int logicalBlockSize();

    /** Whether this is a whole device (the boot-area guard applies) rather than a partition. */
    boolean wholeDevice();

    /**
     * Bytes at the start of a whole device below which writes are refused: {@link #DEFAULT_GUARD}
     * unless the driver lowered it (0 once a partition table was written on purpose). Ignored for
     * partitions.
     */
    default long guardLimit() {
        return wholeDevice() ? DEFAULT_GUARD : 0;
    }

    /** Whether the device refuses writes. */
    boolean readOnly();

    /** The model, when the driver knows it. */
    default Optional<String> model() {
        return Optional.empty();
    }

    /** The serial number, when the driver knows it. */
    default Optional<String> serial() {
        return Optional.empty();
    }

    /** The file system or partition label, when known. */
    default Optional<String> label() {
        return Optional.empty();
    }

    /** The file system or partition UUID, when known. */
    default Optional<String> uuid() {
        return Optional.empty();
    }

    /** The partition table on a whole device ({@code gpt}, {@code dos}), when there is one. */
    default Optional<String> partitionTableType() {
        return Optional.empty();
    }

    /**
     * Why the device is in use by someone other than this handle ({@code "exported nbd"},
     * {@code "open by task 12"}), or empty when it is free. The sweeper refuses to write a device
     * in use.
     */
    default Optional<String> inUseReason() {
        return Optional.empty();
    }

    /** Whether the device is in use by someone other than this handle. */
    default boolean inUse() {
        return inUseReason().isPresent();
    }

    /** Whether {@link #writeZeroes} is supported without writing zero buffers. */
    default boolean supportsWriteZeroes() {
        return false;
    }

    /**
     * Reads {@code dst.byteSize()} bytes at {@code offset} into {@code dst}. Both are multiples of
     * the logical block size; {@code dst} may be any native segment.
     *
     * @throws SweepException EIO on a medium error, EINVAL on a bad range
     */
    void read(long offset, MemorySegment dst);

    /**
     * Writes {@code src} at {@code offset}. Both are multiples of the logical block size. With
     * {@code fua} the data is durable when this returns; otherwise after the next {@link #flush()}.
     *
     * @throws SweepException EIO on a medium error, EROFS if read-only, EINVAL on a bad range
     */
    void write(long offset, MemorySegment src, boolean fua);

    /**
     * Makes {@code [offset, offset + length)} read back as zeros without transferring them, where
     * {@link #supportsWriteZeroes()} says so. Durable after the next {@link #flush()}.
     *
     * @throws SweepException EOPNOTSUPP when unsupported, EIO on a medium error
     */
    default void writeZeroes(long offset, long length) {
        throw new SweepException("EOPNOTSUPP", name() + ": write-zeroes is not supported");
    }

    /** Makes every completed write durable. */
    void flush();

    /** Releases the handle; the device itself stays. */
    @Override
    default void close() {}
}

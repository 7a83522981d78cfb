package dev.jdm.host.export;

import dev.jdm.host.block.BufferLender;
import dev.jdm.host.block.SharedReaping;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Set;

/**
 * A block device as an export protocol sees it: a size, block-size limits, what it can do, and
 * asynchronous I/O. The NBD server is the first user; the block layer's LUs are adapted to it.
 *
 * <h2>Completion</h2>
 * Every I/O method returns at once and reports through its completion exactly once, either before
 * it returns (a memory device) or later on any thread (a queue-backed device). It must not block
 * the calling thread for long: the caller is a connection's request reader. A method never throws
 * for a bad request; it completes with {@link IoStatus#EINVAL} instead. Callers have already
 * checked that {@code offset + length <= size()}, that writes are not sent to a
 * {@linkplain #readOnly() read-only} device, and that capabilities are present before using them.
 *
 * <h2>Ordering and durability</h2>
 * Requests may run and complete in any order. {@link #flush} must make every write that
 * <em>completed</em> before the flush was submitted durable before the flush completes (NBD
 * "Ordering of messages and writes"; the kernel's REQ_PREFLUSH). A write with {@code fua} must be
 * durable before it completes (REQ_FUA). A device whose writes are durable on completion (memory,
 * which lives exactly as long as the host) may treat both as no-ops but must still offer them.
 */
public interface ExportableDevice {

    /** What a device can do beyond read and write. */
    enum Capability {
        /** {@link #flush} does something meaningful (NBD_FLAG_SEND_FLUSH). */
        FLUSH,
        /** Writes honour {@code fua} (NBD_FLAG_SEND_FUA). */
        FUA,
        /** {@link #trim} may discard (NBD_FLAG_SEND_TRIM). */
        TRIM,
        /** {@link #writeZeroes} is efficient (NBD_FLAG_SEND_WRITE_ZEROES). */
        WRITE_ZEROES,
        /** {@link #writeZeroes} with {@code fastOnly} is meaningful (NBD_FLAG_SEND_FAST_ZERO). */
        FAST_ZERO,
        /** {@link #cache} prefetches (NBD_FLAG_SEND_CACHE). */
        CACHE,
        /**
         * Several connections see one consistent device: a write completed on one is read back on
         * any other, and a flush on any connection covers writes completed on all of them
         * (NBD_FLAG_CAN_MULTI_CONN). Only claim this when it is true.
         */
        MULTI_CONN,
        /** The medium is rotational (NBD_FLAG_ROTATIONAL); a hint for the client's scheduler. */
        ROTATIONAL
    }

    /** Receives the end of an I/O. */
    @FunctionalInterface
    interface Completion {
        /** Called exactly once. */
        void complete(IoStatus status);
    }

    /** Receives the answer to {@link #blockStatus}. */
    @FunctionalInterface
    interface StatusCompletion {
        /**
         * Called exactly once.
         *
         * @param status {@link IoStatus#OK} or why no extents are given
         * @param extents on success at least one extent, contiguous from the requested offset and
         *     ending at or before the end of the device; they may cover less than was asked (the
         *     client asks again) but never nothing
         */
        void complete(IoStatus status, List<Extent> extents);
    }

    /** The device's name (an LU name such as {@code ram0}); the default export name. */
    String name();

    /** Size in bytes; fixed while the device is exported. */
    long size();

    /** Smallest unit of I/O the device accepts without read-modify-write: 1 or a power of two up to 64 KiB. */
    int minimumBlockSize();

    /** Preferred unit of I/O: a power of two, at least the minimum, at most 32 MiB (also the page size clients align to). */
    int preferredBlockSize();

    /** Largest read or write payload accepted in one request: a multiple of the minimum. */
    int maximumBlockSize();

    /** Whether writes are refused: the export then advertises NBD_FLAG_READ_ONLY. */
    boolean readOnly();

    /** What the device can do. */
    Set<Capability> capabilities();

    /**
     * A buffer of {@code bytes} for a read's destination or a write's source that the device moves
     * data through without copying it again, or null (the default): then the caller uses its own.
     * The caller gives it back once the request is over, whatever its status.
     */
    default BufferLender.Loan lend(int bytes) {
        return null;
    }

    /**
     * The device's driver, if a thread about to wait may reap its completions meanwhile ({@link
     * SharedReaping}), or null (the default).
     */
    default SharedReaping reaping() {
        return null;
    }

    /** Reads {@code dst.byteSize()} bytes at {@code offset} into {@code dst}. */
    void read(long offset, MemorySegment dst, Completion done);

    /** Writes all of {@code src} at {@code offset}; with {@code fua} durable before completion. */
    void write(long offset, MemorySegment src, boolean fua, Completion done);

    /** Makes every write completed before this call durable (see the class comment). */
    void flush(Completion done);

    /**
     * Hints that a range is no longer needed. Afterwards the range may read as anything, zeroes
     * included; a device without {@link Capability#TRIM} completes OK without doing anything.
     */
    void trim(long offset, long length, boolean fua, Completion done);

    /**
     * Makes a range read as zeroes.
     *
     * @param mayPunch the device may deallocate (punch a hole) instead of writing zeroes; false
     *     when the client set NBD_CMD_FLAG_NO_HOLE
     * @param fastOnly NBD_CMD_FLAG_FAST_ZERO: if zeroing would be no faster than writing zeroes,
     *     complete at once with {@link IoStatus#ENOTSUP} and change nothing, so the client can
     *     choose another way
     */
    void writeZeroes(long offset, long length, boolean fua, boolean mayPunch, boolean fastOnly, Completion done);

    /** Prefetches a range into whatever cache the device has; OK without effect if none. */
    void cache(long offset, long length, Completion done);

    /** Reports the allocation state from {@code offset}, looking at most {@code length} bytes ahead. */
    void blockStatus(long offset, long length, StatusCompletion done);

    /**
     * Gives the device back when its export is removed (an LU is closed, unpinning its driver).
     * Called once; the device is not used afterwards. Devices the host owns for its whole life
     * (memory devices) do nothing.
     */
    default void release() {}
}

package dev.jdm.sweep;

/**
 * What a sweep does.
 *
 * @param method what is written
 * @param verify when it is read back
 * @param passes how many times every byte is written (at least 1)
 * @param includeBootArea whether to write below 0x10000 of a whole device (only where its guard allows)
 * @param chunkSize bytes per I/O, a multiple of every target's block size (default 8 MiB)
 */
public record SweepOptions(Method method, Verify verify, int passes, boolean includeBootArea, int chunkSize) {
    /** The default I/O size: large enough to reach device speed, small enough to stop quickly. */
    public static final int DEFAULT_CHUNK = 8 << 20;

    /** What is written. */
    public enum Method {
        /** Zeros, by write-zeroes where the device supports it. */
        ZEROS,
        /** An AES-256-CTR keystream under a per-run key, positioned by byte offset. */
        RANDOM
    }

    /** When the written data is read back and compared. */
    public enum Verify { OFF, LAST, ALL }

    public SweepOptions {
        if (passes < 1) {
            throw new SweepException("EINVAL", "--passes must be at least 1, not " + passes);
        }
        if (chunkSize < 4096 || Integer.bitCount(chunkSize) != 1) {
            throw new SweepException("EINVAL", "chunk size " + chunkSize + " is not a power of two of at least 4096");
        }
    }

    public static SweepOptions defaults() {
        return new SweepOptions(Method.ZEROS, Verify.OFF, 1, false, DEFAULT_CHUNK);
    }
}

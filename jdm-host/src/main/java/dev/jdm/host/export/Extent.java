package dev.jdm.host.export;

/**
 * A run of bytes with one allocation state, as NBD's {@code base:allocation} context reports it.
 *
 * @param length bytes in the run, at least 1
 * @param hole the run is not allocated (NBD_STATE_HOLE): writing it may need space
 * @param zero the run reads as zeroes (NBD_STATE_ZERO)
 */
public record Extent(long length, boolean hole, boolean zero) {
    public Extent {
        if (length <= 0) {
            throw new IllegalArgumentException("extent length " + length + " is not positive");
        }
    }

    /** Allocated data. */
    public static Extent data(long length) {
        return new Extent(length, false, false);
    }

    /** An unallocated run that reads as zeroes. */
    public static Extent hole(long length) {
        return new Extent(length, true, true);
    }
}

package dev.jdm.dde.nbdkit;

/**
 * One run of the disk with the same allocation state, as {@code nbdkit_add_extent} reports it and
 * NBD {@code base:allocation} carries it: a hole is unallocated, zero reads back as zeroes.
 */
public record Extent(long offset, long length, boolean hole, boolean zero) {
    /** {@code NBDKIT_EXTENT_HOLE}, the same bit as NBD_STATE_HOLE. */
    public static final int HOLE = 1;
    /** {@code NBDKIT_EXTENT_ZERO}, the same bit as NBD_STATE_ZERO. */
    public static final int ZERO = 2;

    static Extent of(long offset, long length, int type) {
        return new Extent(offset, length, (type & HOLE) != 0, (type & ZERO) != 0);
    }

    /** The NBD block status type: {@link #HOLE} | {@link #ZERO} bits. */
    public int type() {
        return (hole ? HOLE : 0) | (zero ? ZERO : 0);
    }
}

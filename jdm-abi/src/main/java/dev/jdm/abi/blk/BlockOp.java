package dev.jdm.abi.blk;

import dev.jdm.abi.Provided;

/** What a {@link BlockRequest} asks for. */
@Provided
public enum BlockOp {
    /** Read {@code length} bytes at {@code offset} into {@link BlockRequest#data()}. */
    READ,
    /** Write {@link BlockRequest#data()} at {@code offset}. */
    WRITE,
    /** Make every write that completed before this request durable. Offset and length are 0. */
    FLUSH,
    /** Make the range read as zeroes; may unmap it unless {@link BlockRequest#NO_UNMAP} is set. */
    WRITE_ZEROES,
    /** The range's contents are no longer needed; later reads return zeroes or old data. */
    DISCARD
}

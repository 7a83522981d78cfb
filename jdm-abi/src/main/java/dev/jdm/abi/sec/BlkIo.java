package dev.jdm.abi.sec;

import dev.jdm.abi.Provided;

/**
 * The object of {@code blk_io}: one request to a logical unit.
 *
 * @param op operation
 * @param lu LU name, e.g. {@code ram0p1}
 * @param offset byte offset in the LU
 * @param length byte length
 */
@Provided
public record BlkIo(BlkOp op, String lu, long offset, long length) {}

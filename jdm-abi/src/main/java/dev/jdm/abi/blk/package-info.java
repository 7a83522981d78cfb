/**
 * The block ABI (the LxDM "filesystem" functions: raw access to logical units).
 *
 * <p>A driver registers logical units (LUs) through {@link dev.jdm.abi.blk.BlockLayer}: it
 * describes one with a {@link dev.jdm.abi.blk.BlockDevice.Builder} and hands over a driver that
 * receives every request after the host has checked it (bounds, capabilities, read-only, the
 * boot-area guard): since {@code JDM_1.1} a {@link dev.jdm.abi.blk.BlockQueueDriver}, given every
 * request that is ready at once as a {@link dev.jdm.abi.blk.BlockBatch}; or the {@code JDM_1.0}
 * {@link dev.jdm.abi.blk.BlockDriver}, one request per call, which every later host keeps serving. A request is a provided
 * interface, not a record, so later generations can add accessors without breaking drivers built
 * today (the append-only discipline of nbdkit's plugin struct).
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>{@code offset} and {@code length} are multiples of the logical block size and lie inside the LU.
 *   <li>Writes, write-zeroes and discards overlapping {@code [0, bootGuard)} of a whole device never
 *       reach the driver (EPERM); the default guard is {@link dev.jdm.abi.blk.BlockDevice#DEFAULT_BOOT_GUARD}.
 *   <li>Only operations the LU's capabilities allow reach the driver; a read-only LU sees only reads
 *       and flushes.
 *   <li>A {@code FLUSH} reaches the driver only after every write submitted before it has completed;
 *       it must make those writes durable before completing. {@code FUA} on a write means the
 *       write is durable when it completes.
 *   <li>The driver completes each request exactly once (a second completion throws), from any thread, after
 *       {@code submit} was called (also from within {@code submit}).
 * </ul>
 */
package dev.jdm.abi.blk;

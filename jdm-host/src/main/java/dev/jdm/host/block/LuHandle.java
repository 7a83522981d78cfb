package dev.jdm.host.block;

import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockStatus;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An open reference to an LU, for host subsystems (the NBD export, the wiper). While open, the
 * driver module is pinned (rmmod refuses with EBUSY). Statuses are {@link BlockStatus} errnos.
 * Thread-safe; close it once.
 */
public final class LuHandle implements AutoCloseable {
    private final BlockRegistry registry;
    private final LogicalUnit lu;
    private final String holder;
    private final BlockAccess access;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final dev.jdm.host.module.ModulePin pin;

    LuHandle(BlockRegistry registry, LogicalUnit lu, String holder, BlockAccess access, dev.jdm.host.module.ModulePin pin) {
        this.pin = pin;
        this.registry = registry;
        this.lu = lu;
        this.holder = holder;
        this.access = access;
    }

    /** The LU's geometry, capabilities, guard and holders now. */
    public LuInfo info() {
        return registry.info(lu);
    }

    /** The LU's name. */
    public String name() {
        return lu.name;
    }

    /**
     * Starts a request. {@code data} is the buffer for READ/WRITE ({@code length} bytes; any
     * segment, native or heap) and ignored otherwise. The future completes with the status, never
     * exceptionally; after {@link #close} it completes with ENODEV, and a request the opener's
     * {@link BlockAccess} refuses completes with EPERM without reaching the driver.
     */
    public CompletableFuture<Integer> submit(BlockOp op, long offset, long length, int flags, MemorySegment data) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        if (closed.get()) {
            f.complete(BlockStatus.ENODEV);
            return f;
        }
        if (!allowed(op, offset, length)) {
            f.complete(BlockStatus.EPERM);
            return f;
        }
        lu.submit(op, offset, length, flags, data, f::complete);
        return f;
    }

    /**
     * A buffer of {@code bytes} that the LU's driver lends for a READ or WRITE's data, filled or
     * drained in place ({@link BufferLender}); null when it lends none or this handle is closed.
     * Give it back once the request is over, whatever its status.
     */
    public BufferLender.Loan lend(long bytes) {
        return closed.get() ? null : lu.lend(bytes);
    }

    /** The LU's driver, if the caller's thread may reap its completions while it waits ({@link SharedReaping}); else null. */
    public SharedReaping reaping() {
        return closed.get() ? null : lu.reaping();
    }

    /**
     * Where the LU's holes are in {@code [offset, offset + length)}: runs from {@code offset}
     * reported to {@code out}, at least one on success ({@link dev.jdm.abi.blk.BlockExtents}).
     * Checked like a read. Returns a {@link BlockStatus} errno.
     */
    public int extents(long offset, long length, dev.jdm.abi.blk.BlockExtents.Runs out) {
        if (closed.get()) {
            return BlockStatus.ENODEV;
        }
        return allowed(BlockOp.READ, offset, length) ? lu.extents(offset, length, out) : BlockStatus.EPERM;
    }

    /** The opener's access check, failing closed; a refusal is logged. */
    private boolean allowed(BlockOp op, long offset, long length) {
        String refused;
        try {
            refused = access.checkIo(op, lu.name, offset, length);
        } catch (RuntimeException e) {
            refused = "the blk_io check failed: " + e; // fail closed
        }
        if (refused != null) {
            registry.refused(lu, holder, op, offset, length, refused);
            return false;
        }
        return true;
    }

    /** {@link #submit} and wait for the status. */
    public int io(BlockOp op, long offset, long length, int flags, MemorySegment data) throws InterruptedException {
        try {
            return submit(op, offset, length, flags, data).get();
        } catch (java.util.concurrent.ExecutionException e) {
            return BlockStatus.EIO; // not reached: the future never completes exceptionally
        }
    }

    /** Reads {@code dst.byteSize()} bytes at {@code offset}; waits. */
    public int read(long offset, MemorySegment dst) throws InterruptedException {
        return io(BlockOp.READ, offset, dst.byteSize(), 0, dst);
    }

    /** Writes all of {@code src} at {@code offset}; waits. */
    public int write(long offset, MemorySegment src, int flags) throws InterruptedException {
        return io(BlockOp.WRITE, offset, src.byteSize(), flags, src);
    }

    /** Flushes; waits. */
    public int flush() throws InterruptedException {
        return io(BlockOp.FLUSH, 0, 0, 0, null);
    }

    /** Drops the reference (and the pin on the driver module). Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            registry.release(lu, holder, pin);
        }
    }
}

package dev.jdm.sweep.lu;

import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.block.LuHandle;
import dev.jdm.sweep.SweepException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A sweep target on an LU of a host in this process, through its {@link LuHandle} (dev_open done,
 * blk_io per request). A large read or write is cut into {@link #PIECES} requests submitted at once
 * from as many threads (the block layer dispatches on the submitting thread), so the device sees a
 * queue depth above one, as the kernel's bio splitting gives dd's single large write.
 */
final class HandleSweepDevice extends LuSweepDevice {
    /**
     * Requests in flight for one large read or write. 1 by default: on the virtio disk it was
     * measured on, splitting an 8 MiB O_DIRECT write gained nothing (the kernel splits it into
     * concurrent bios anyway); devices that want depth can be given it with -Djdm.sweep.queueDepth.
     */
    static final int PIECES = Integer.getInteger("jdm.sweep.queueDepth", 1);
    /** Below this an I/O goes as one request. */
    static final long SPLIT_FROM = 1 << 20;
    private static final java.util.concurrent.ExecutorService SUBMITTERS = java.util.concurrent.Executors.newFixedThreadPool(
            Math.max(1, PIECES - 1), Thread.ofPlatform().daemon().name("sweep-io-", 0).factory());

    private final LuHandle handle;
    private final Supplier<Optional<String>> inUse;
    private final Runnable release;
    private boolean closed;

    HandleSweepDevice(Facts facts, LuHandle handle, Supplier<Optional<String>> inUse, Runnable release) {
        super(facts);
        this.handle = handle;
        this.inUse = inUse;
        this.release = release;
    }

    @Override
    public Optional<String> inUseReason() {
        return inUse.get();
    }

    /** The guard as the block layer has it now, since its owner may lower it after the open. */
    @Override
    public long guardLimit() {
        return wholeDevice() ? handle.info().bootGuard() : 0;
    }

    /** The handle this device does its I/O through. */
    LuHandle handle() {
        return handle;
    }

    @Override
    public void read(long offset, MemorySegment dst) {
        checkRange(offset, dst.byteSize(), "read");
        split(dev.jdm.abi.blk.BlockOp.READ, offset, dst, 0, "read");
    }

    @Override
    public void write(long offset, MemorySegment src, boolean fua) {
        checkRange(offset, src.byteSize(), "write");
        checkWritable();
        split(dev.jdm.abi.blk.BlockOp.WRITE, offset, src, fua ? BlockRequest.FUA : 0, "write");
    }

    @Override
    public void writeZeroes(long offset, long length) {
        if (!supportsWriteZeroes()) {
            super.writeZeroes(offset, length);
        }
        checkRange(offset, length, "write-zeroes");
        checkWritable();
        check(() -> handle.io(dev.jdm.abi.blk.BlockOp.WRITE_ZEROES, offset, length, BlockRequest.NO_UNMAP, null), "write-zeroes", offset, length);
    }

    @Override
    public void flush() {
        check(handle::flush, "flush", 0, 0);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            release.run();
        }
    }

    /** One I/O as up to {@link #PIECES} block-aligned requests in flight together; the first failure is reported. */
    private void split(dev.jdm.abi.blk.BlockOp op, long offset, MemorySegment data, int flags, String what) {
        long len = data.byteSize();
        if (PIECES <= 1 || len < SPLIT_FROM) {
            check(() -> handle.io(op, offset, len, flags, data), what, offset, len);
            return;
        }
        long piece = (len / PIECES + logicalBlockSize() - 1) / logicalBlockSize() * logicalBlockSize();
        List<java.util.concurrent.Future<Integer>> rest = new java.util.ArrayList<>();
        for (long at = piece; at < len; at += piece) {
            long o = at;
            long n = Math.min(piece, len - at);
            rest.add(SUBMITTERS.submit(() -> handle.io(op, offset + o, n, flags, data.asSlice(o, n))));
        }
        int first;
        try {
            first = handle.io(op, offset, Math.min(piece, len), flags, data.asSlice(0, Math.min(piece, len)));
        } catch (InterruptedException e) {
            first = BlockStatus.EIO; // still wait for the others: their buffers are the caller's
            Thread.currentThread().interrupt();
        }
        int status = first;
        for (var f : rest) { // every piece finishes before the caller gets its buffer back
            int st;
            try {
                st = f.get();
            } catch (java.util.concurrent.ExecutionException | InterruptedException e) {
                st = BlockStatus.EIO;
            }
            status = status != BlockStatus.OK ? status : st;
        }
        int result = status;
        check(() -> result, what, offset, len);
    }

    private interface Io {
        int run() throws InterruptedException;
    }

    private void check(Io io, String what, long offset, long length) {
        int st;
        try {
            st = io.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SweepException("EINTR", name() + ": " + what + " interrupted");
        }
        if (st != BlockStatus.OK) {
            throw new SweepException(BlockStatus.name(st), name() + ": " + what + (length > 0 ? " at " + offset + "+" + length : "")
                    + " failed: " + BlockStatus.name(st));
        }
    }
}

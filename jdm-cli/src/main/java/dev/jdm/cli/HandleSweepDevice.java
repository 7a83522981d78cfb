package dev.jdm.cli;

import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.block.LuHandle;
import dev.jdm.sweep.SweepException;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.function.Supplier;

/** A sweep target on an LU of a host in this process, through its {@link LuHandle} (dev_open done, blk_io per request). */
final class HandleSweepDevice extends LuSweepDevice {
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

    @Override
    public void read(long offset, MemorySegment dst) {
        checkRange(offset, dst.byteSize(), "read");
        check(() -> handle.read(offset, dst), "read", offset, dst.byteSize());
    }

    @Override
    public void write(long offset, MemorySegment src, boolean fua) {
        checkRange(offset, src.byteSize(), "write");
        checkWritable();
        check(() -> handle.write(offset, src, fua ? BlockRequest.FUA : 0), "write", offset, src.byteSize());
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

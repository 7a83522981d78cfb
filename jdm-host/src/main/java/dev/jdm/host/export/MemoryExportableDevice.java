package dev.jdm.host.export;

import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import dev.jdm.host.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A sparse in-memory device: one anonymous map of the whole size (committed page by page on first
 * write) and a bitmap of the 4 KiB pages written. Trim and zeroing give whole pages back to the
 * kernel and clear their bits, so {@code base:allocation} reports holes truthfully. Writes are
 * durable on completion (the memory lives as long as the host), so flush and FUA are no-ops, and
 * every connection sees the same memory (multi-conn safe).
 *
 * <p>After {@link #close} the map is gone; requests still arriving complete with ESHUTDOWN (the
 * segment belongs to a shared arena, whose close makes later access fail instead of fault).
 */
public final class MemoryExportableDevice implements ExportableDevice, AutoCloseable {
    /** Granularity of allocation tracking: the kernel's page. */
    public static final int PAGE = 4096;
    /** Most extents one block-status answer carries; the client asks again for the rest. */
    static final int MAX_EXTENTS = 4096;
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final Set<Capability> CAPS = EnumSet.of(Capability.FLUSH, Capability.FUA, Capability.TRIM,
            Capability.WRITE_ZEROES, Capability.FAST_ZERO, Capability.CACHE, Capability.MULTI_CONN);

    private final String name;
    private final long size;
    private final boolean readOnly;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;
    private final long[] allocated;

    /**
     * Maps a device.
     *
     * @param size bytes, a positive multiple of {@link #PAGE}
     * @throws HostException EINVAL for a bad size, ENOMEM if the map fails
     */
    public MemoryExportableDevice(String name, long size, boolean readOnly) {
        if (size <= 0 || size % PAGE != 0 || size / PAGE > (long) Integer.MAX_VALUE * 64) {
            throw new HostException(Errno.EINVAL, "memory device " + name + ": size " + size
                    + " is not a positive multiple of " + PAGE);
        }
        long address;
        try {
            address = Libc.mmapAnonymous(size);
        } catch (OutOfMemoryError e) {
            throw new HostException(Errno.ENOMEM, "memory device " + name + ": cannot map " + size + " bytes");
        }
        this.name = name;
        this.size = size;
        this.readOnly = readOnly;
        this.memory = MemorySegment.ofAddress(address).reinterpret(size, arena, s -> Libc.munmap(s.address(), s.byteSize()));
        this.allocated = new long[(int) ((size / PAGE + 63) / 64)];
    }

    @Override public String name() { return name; }
    @Override public long size() { return size; }
    @Override public int minimumBlockSize() { return 1; }
    @Override public int preferredBlockSize() { return PAGE; }
    @Override public int maximumBlockSize() { return 32 << 20; }
    @Override public boolean readOnly() { return readOnly; }
    @Override public Set<Capability> capabilities() { return CAPS; }

    /** Bytes of pages written and not since given back. */
    public long allocatedBytes() {
        long pages = 0;
        for (int i = 0; i < allocated.length; i++) {
            pages += Long.bitCount((long) WORDS.getVolatile(allocated, i));
        }
        return pages * PAGE;
    }

    @Override
    public void read(long offset, MemorySegment dst, Completion done) {
        done.complete(guard(() -> MemorySegment.copy(memory, offset, dst, 0, dst.byteSize()), offset, dst.byteSize()));
    }

    @Override
    public void write(long offset, MemorySegment src, boolean fua, Completion done) {
        done.complete(guard(() -> {
            // Mark first: block status may then call a page in flight data, never data a hole.
            mark(offset / PAGE, (offset + src.byteSize() - 1) / PAGE);
            MemorySegment.copy(src, 0, memory, offset, src.byteSize());
        }, offset, src.byteSize()));
    }

    @Override
    public void flush(Completion done) {
        done.complete(IoStatus.OK);
    }

    @Override
    public void trim(long offset, long length, boolean fua, Completion done) {
        done.complete(guard(() -> punch(offset, length), offset, length));
    }

    @Override
    public void writeZeroes(long offset, long length, boolean fua, boolean mayPunch, boolean fastOnly, Completion done) {
        // Zeroing memory is always at least as fast as writing zeroes, so fastOnly never refuses.
        done.complete(guard(() -> {
            if (!mayPunch) {
                mark(offset / PAGE, (offset + length - 1) / PAGE);
                memory.asSlice(offset, length).fill((byte) 0);
                return;
            }
            long[] whole = punch(offset, length);
            zeroIfAllocated(offset, whole[0] - offset);
            zeroIfAllocated(whole[1], offset + length - whole[1]);
        }, offset, length));
    }

    @Override
    public void cache(long offset, long length, Completion done) {
        done.complete(inRange(offset, length) ? IoStatus.OK : IoStatus.EINVAL);
    }

    @Override
    public void blockStatus(long offset, long length, StatusCompletion done) {
        if (!inRange(offset, length) || length == 0) {
            done.complete(IoStatus.EINVAL, List.of());
            return;
        }
        List<Extent> out = new ArrayList<>();
        long end = offset + length;
        long pos = offset;
        while (pos < end && out.size() < MAX_EXTENTS) {
            boolean data = isAllocated(pos / PAGE);
            long runEnd = Math.min(end, runEnd(pos / PAGE, data) * PAGE);
            out.add(data ? Extent.data(runEnd - pos) : Extent.hole(runEnd - pos));
            pos = runEnd;
        }
        done.complete(IoStatus.OK, out);
    }

    /** Closes the map; later requests complete with ESHUTDOWN. */
    @Override
    public void close() {
        arena.close();
    }

    private interface Action {
        void run();
    }

    private IoStatus guard(Action a, long offset, long length) {
        if (!inRange(offset, length)) {
            return IoStatus.EINVAL;
        }
        try {
            a.run();
            return IoStatus.OK;
        } catch (IllegalStateException closed) {
            return IoStatus.ESHUTDOWN;
        }
    }

    private boolean inRange(long offset, long length) {
        return offset >= 0 && length >= 0 && offset <= size && length <= size - offset;
    }

    /** Gives back the whole pages inside the range; returns {start, end} of that page-aligned part. */
    private long[] punch(long offset, long length) {
        long first = (offset + PAGE - 1) / PAGE;
        long last = (offset + length) / PAGE; // exclusive
        if (first >= last) {
            return new long[] {offset + length, offset + length};
        }
        if (!memory.scope().isAlive()) {
            throw new IllegalStateException("closed");
        }
        Libc.dropPages(memory.address() + first * PAGE, (last - first) * PAGE);
        setBits(first, last - 1, false);
        return new long[] {first * PAGE, last * PAGE};
    }

    private void zeroIfAllocated(long offset, long length) {
        if (length > 0 && isAllocated(offset / PAGE)) {
            memory.asSlice(offset, length).fill((byte) 0);
        }
    }

    private void mark(long firstPage, long lastPage) {
        setBits(firstPage, lastPage, true);
    }

    /** Sets or clears the bits of pages {@code first..last} (inclusive), a word at a time. */
    private void setBits(long first, long last, boolean value) {
        for (long p = first; p <= last; p = (p | 63) + 1) {
            long hi = Math.min(last, p | 63);
            long span = hi - p + 1;
            long mask = (span == 64 ? -1L : ((1L << span) - 1)) << (p & 63);
            if (value) {
                WORDS.getAndBitwiseOr(allocated, (int) (p >>> 6), mask);
            } else {
                WORDS.getAndBitwiseAnd(allocated, (int) (p >>> 6), ~mask);
            }
        }
    }

    private boolean isAllocated(long page) {
        return ((long) WORDS.getVolatile(allocated, (int) (page >>> 6)) & (1L << (page & 63))) != 0;
    }

    /** The first page after {@code page} whose state differs from {@code data}, or the page count. */
    private long runEnd(long page, boolean data) {
        long pages = size / PAGE;
        long p = page;
        while (p < pages) {
            long word = (long) WORDS.getVolatile(allocated, (int) (p >>> 6));
            long bits = (data ? ~word : word) >>> (p & 63); // ones where the state differs
            if (bits != 0) {
                return Math.min(pages, p + Long.numberOfTrailingZeros(bits));
            }
            p = (p | 63) + 1;
        }
        return pages;
    }
}

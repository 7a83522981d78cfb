package dev.jdm.sweep;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

/**
 * Wraps a device and fails reads or writes that touch given byte ranges with {@code EIO}, as a
 * disk with bad sectors would. Everything else passes through.
 */
public final class ErrorInjectingSweepDevice implements SweepDevice {
    /** A byte range {@code [offset, offset + length)}. */
    public record Range(long offset, long length) {
        boolean overlaps(long off, long len) {
            return off < offset + length && offset < off + len;
        }

        /** Parses {@code OFFSET+LENGTH} (each decimal, 0x-hex or with a K/M/G suffix). */
        public static Range parse(String s) {
            int plus = s.indexOf('+');
            if (plus <= 0) {
                throw new SweepException("EINVAL", "range \"" + s + "\" is not OFFSET+LENGTH");
            }
            return new Range(Sizes.parse(s.substring(0, plus)), Sizes.parse(s.substring(plus + 1)));
        }
    }

    private final SweepDevice inner;
    private final List<Range> failReads;
    private final List<Range> failWrites;

    public ErrorInjectingSweepDevice(SweepDevice inner, List<Range> failReads, List<Range> failWrites) {
        this.inner = inner;
        this.failReads = List.copyOf(failReads);
        this.failWrites = List.copyOf(failWrites);
    }

    private static void fail(List<Range> ranges, String what, String name, long off, long len) {
        for (Range r : ranges) {
            if (r.overlaps(off, len)) {
                throw new SweepException("EIO", name + ": " + what + " error at " + Math.max(off, r.offset()) + " (injected)");
            }
        }
    }

    @Override public String name() { return inner.name(); }
    @Override public long size() { return inner.size(); }
    @Override public int logicalBlockSize() { return inner.logicalBlockSize(); }
    @Override public boolean wholeDevice() { return inner.wholeDevice(); }
    @Override public long guardLimit() { return inner.guardLimit(); }
    @Override public boolean readOnly() { return inner.readOnly(); }
    @Override public Optional<String> model() { return inner.model(); }
    @Override public Optional<String> serial() { return inner.serial(); }
    @Override public Optional<String> label() { return inner.label(); }
    @Override public Optional<String> uuid() { return inner.uuid(); }
    @Override public Optional<String> partitionTableType() { return inner.partitionTableType(); }
    @Override public Optional<String> inUseReason() { return inner.inUseReason(); }
    @Override public boolean supportsWriteZeroes() { return inner.supportsWriteZeroes(); }

    @Override
    public void read(long offset, MemorySegment dst) {
        fail(failReads, "read", name(), offset, dst.byteSize());
        inner.read(offset, dst);
    }

    @Override
    public void write(long offset, MemorySegment src, boolean fua) {
        fail(failWrites, "write", name(), offset, src.byteSize());
        inner.write(offset, src, fua);
    }

    @Override
    public void writeZeroes(long offset, long length) {
        fail(failWrites, "write", name(), offset, length);
        inner.writeZeroes(offset, length);
    }

    @Override
    public void flush() {
        inner.flush();
    }

    @Override
    public void close() {
        inner.close();
    }
}

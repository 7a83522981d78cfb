package dev.jdm.sweep;

import java.lang.foreign.MemorySegment;

/** A device that passes everything to another; tests override what they need. */
class Delegating implements SweepDevice {
    final SweepDevice inner;

    Delegating(SweepDevice inner) {
        this.inner = inner;
    }

    @Override public String name() { return inner.name(); }
    @Override public long size() { return inner.size(); }
    @Override public int logicalBlockSize() { return inner.logicalBlockSize(); }
    @Override public boolean wholeDevice() { return inner.wholeDevice(); }
    @Override public long guardLimit() { return inner.guardLimit(); }
    @Override public boolean readOnly() { return inner.readOnly(); }
    @Override public boolean supportsWriteZeroes() { return false; }
    @Override public void read(long offset, MemorySegment dst) { inner.read(offset, dst); }
    @Override public void write(long offset, MemorySegment src, boolean fua) { inner.write(offset, src, fua); }
    @Override public void flush() { inner.flush(); }
}

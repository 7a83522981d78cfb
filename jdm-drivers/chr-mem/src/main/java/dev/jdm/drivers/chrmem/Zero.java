package dev.jdm.drivers.chrmem;

import dev.jdm.abi.chr.CharFile;
import java.lang.foreign.MemorySegment;

/** /dev/zero: reads give zero bytes without end, writes vanish. */
class Zero implements CharFile {
    @Override
    public int read(MemorySegment dst) {
        dst.fill((byte) 0);
        return (int) dst.byteSize();
    }

    @Override
    public int write(MemorySegment src) {
        return (int) src.byteSize();
    }

    @Override
    public long seek(long offset, int whence) {
        return 0;
    }
}

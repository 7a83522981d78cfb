package dev.jdm.drivers.chrmem;

import dev.jdm.abi.chr.CharFile;
import java.lang.foreign.MemorySegment;

/** /dev/null: reads end at once, writes vanish. */
final class Null implements CharFile {
    @Override
    public int read(MemorySegment dst) {
        return 0;
    }

    @Override
    public int write(MemorySegment src) {
        return (int) src.byteSize();
    }

    @Override
    public long seek(long offset, int whence) {
        return 0; // Linux's null_lseek: every position is 0
    }
}

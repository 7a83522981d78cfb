package dev.jdm.drivers.chrmem;

import dev.jdm.abi.chr.CharStatus;
import java.lang.foreign.MemorySegment;

/** /dev/full: reads like zero, every write fails with ENOSPC. */
final class Full extends Zero {
    @Override
    public int write(MemorySegment src) {
        return -CharStatus.ENOSPC;
    }
}

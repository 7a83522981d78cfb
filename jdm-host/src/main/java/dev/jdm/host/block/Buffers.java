package dev.jdm.host.block;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Page-aligned native bounce buffers for merged and emulated requests, freed by the GC. */
final class Buffers {
    static final int ALIGN = 4096;

    private Buffers() {}

    static MemorySegment allocate(long bytes) {
        return Arena.ofAuto().allocate(bytes, ALIGN);
    }
}

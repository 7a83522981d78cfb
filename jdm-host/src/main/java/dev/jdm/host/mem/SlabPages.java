package dev.jdm.host.mem;

import dev.jdm.abi.mem.KmemException;
import dev.jdm.host.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Where a module's slabs come from: anonymous mappings of {@link #CHUNK} bytes, carved front to
 * back and unmapped when the module's arena closes. Slabs are never freed one by one, so a bump
 * pointer is enough. They used to come from the C allocator (the arena's malloc), which keeps
 * freed blocks below its mmap threshold for reuse: a module that filled its limit with kmalloc
 * left the host's RSS high after unload although nothing leaked. munmap gives the pages back.
 * Chunks rather than one mapping per slab keep a module far below vm.max_map_count.
 */
final class SlabPages {
    /** One mapping: room for 4 of the largest slabs. */
    static final long CHUNK = 2L << 20;
    private final String module;
    private final Arena arena;
    private MemorySegment chunk = MemorySegment.NULL;
    private long used;

    /** Pages for {@code module}, unmapped when {@code arena} closes. */
    SlabPages(String module, Arena arena) {
        this.module = module;
        this.arena = arena;
    }

    /** A page-aligned, zeroed segment of {@code bytes} (a multiple of the page size, at most {@link #CHUNK}). */
    MemorySegment slab(long bytes) {
        if (chunk.byteSize() - used < bytes) {
            long address;
            try {
                address = Libc.mmapAnonymous(CHUNK);
            } catch (OutOfMemoryError e) {
                throw new KmemException(module + ": no memory for a slab: " + e.getMessage());
            }
            chunk = MemorySegment.ofAddress(address).reinterpret(CHUNK, arena, s -> Libc.munmap(address, CHUNK));
            used = 0;
        }
        MemorySegment s = chunk.asSlice(used, bytes);
        used += bytes;
        return s;
    }
}

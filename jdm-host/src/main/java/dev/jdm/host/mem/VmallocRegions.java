package dev.jdm.host.mem;

import dev.jdm.abi.mem.Kmem;
import dev.jdm.abi.mem.KmemException;
import dev.jdm.host.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A module's vmalloc regions: each an anonymous private mapping, so untouched pages cost nothing
 * and read as zero. Each region has its own arena: freeing it makes the module's segment
 * inaccessible at once, so a use after vfree is an exception, not a corruption.
 */
final class VmallocRegions {
    /** Largest single region. */
    static final long MAX_REGION = 1L << 40;
    /** Regions of at least this much get transparent huge pages (see {@link #allocate}). */
    static final long HUGE_FROM = 64L << 20;
    private static final int REMEMBERED_FREES = 1024;

    private record Region(long address, long size, Arena arena, String site) {}

    private final String module;
    private final Map<Long, Region> live = new LinkedHashMap<>();
    private final Map<Long, Boolean> recentlyFreed = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > REMEMBERED_FREES;
        }
    };
    private long bytes;

    VmallocRegions(String module) {
        this.module = module;
    }

    static long pageRound(long size) {
        return (size + Kmem.PAGE_SIZE - 1) & -Kmem.PAGE_SIZE;
    }

    MemorySegment allocate(long size, String site) {
        if (size < 1 || size > MAX_REGION) {
            throw new KmemException(module + ": vmalloc(" + size + "): size must be 1.." + MAX_REGION);
        }
        long rounded = pageRound(size);
        long address;
        try {
            address = Libc.mmapAnonymous(rounded);
        } catch (OutOfMemoryError e) {
            throw new KmemException(module + ": vmalloc(" + size + "): " + e.getMessage());
        }
        if (rounded >= HUGE_FROM) {
            Libc.adviseHugePages(address, rounded);
        }
        Arena arena = Arena.ofShared();
        MemorySegment segment = MemorySegment.ofAddress(address).reinterpret(rounded, arena, s -> Libc.munmap(address, rounded));
        live.put(address, new Region(address, rounded, arena, site));
        recentlyFreed.remove(address);
        bytes += rounded;
        return segment;
    }

    void free(MemorySegment segment) {
        Region r = live.get(segment.address());
        if (r == null) {
            String why = recentlyFreed.containsKey(segment.address()) ? "double vfree" : "vfree of memory this module did not vmalloc";
            throw new KmemException(module + ": " + why + " at 0x" + Long.toHexString(segment.address()));
        }
        if (segment.byteSize() != r.size()) {
            throw new KmemException(module + ": vfree of 0x" + Long.toHexString(r.address()) + ": segment of " + segment.byteSize()
                    + " bytes, but the region has " + r.size());
        }
        live.remove(r.address());
        recentlyFreed.put(r.address(), Boolean.TRUE);
        bytes -= r.size();
        r.arena().close();
    }

    boolean isLive(long address) {
        return live.containsKey(address);
    }

    long bytes() {
        return bytes;
    }

    long count() {
        return live.size();
    }

    List<String> describeLive() {
        List<String> out = new ArrayList<>();
        for (Region r : live.values()) {
            out.add("vmalloc " + r.size() + " bytes at 0x" + Long.toHexString(r.address())
                    + (r.site() == null ? "" : " allocated at " + r.site()));
        }
        return out;
    }

    void freeAll() {
        for (Region r : List.copyOf(live.values())) {
            live.remove(r.address());
            r.arena().close();
        }
        bytes = 0;
    }
}

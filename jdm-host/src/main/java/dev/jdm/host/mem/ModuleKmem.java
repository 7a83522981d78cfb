package dev.jdm.host.mem;

import dev.jdm.abi.mem.Kmem;
import dev.jdm.abi.mem.KmemException;
import dev.jdm.abi.mem.MemStats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * One module's memory: kmalloc from size-class slabs carved out of mappings owned by the module's arena ({@link SlabPages}), and
 * vmalloc regions mapped one by one. Everything is accounted to the module; on unload
 * {@link #reclaim()} reports what is left and frees it all at once by closing the arena, so a
 * module's stale segment faults with an exception instead of touching reused memory.
 */
public final class ModuleKmem implements Kmem {
    /** SLUB's poison for freed objects (POISON_FREE), written in debug mode. */
    private static final byte POISON_FREE = 0x6b;
    private static final int[] CLASSES = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
            16384, 32768, 65536, 131072};
    private static final int SLAB_BYTES = 64 * 1024;

    private final String module;
    private final Arena arena = Arena.ofShared();
    private final SlabPages pages;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Deque<Slab>> partial = new ArrayList<>();
    private long[] slabBases = new long[0];
    private Slab[] slabsByBase = new Slab[0];
    private final VmallocRegions vmalloc;
    private final BooleanSupplier debug;
    private final LongSupplier limitBytes;
    private long kmallocObjects;
    private long kmallocBytes;
    private long slabBytes;
    private boolean reclaimed;

    /**
     * @param module name used in messages
     * @param debug whether to record allocation sites and poison freed memory
     * @param limitBytes most bytes (slabs plus vmalloc) the module may hold
     */
    public ModuleKmem(String module, BooleanSupplier debug, LongSupplier limitBytes) {
        this.module = module;
        this.debug = debug;
        this.limitBytes = limitBytes;
        this.vmalloc = new VmallocRegions(module);
        this.pages = new SlabPages(module, arena);
        for (int i = 0; i < CLASSES.length; i++) {
            partial.add(new ArrayDeque<>());
        }
    }

    @Override
    public MemorySegment kmalloc(long size, int flags) {
        if (size < 1 || size > KMALLOC_MAX_SIZE) {
            throw new KmemException(module + ": kmalloc(" + size + "): size must be 1.." + KMALLOC_MAX_SIZE + "; use vmalloc for more");
        }
        if ((flags & ~(GFP_ZERO | GFP_ATOMIC | GFP_DMA)) != 0) {
            throw new KmemException(module + ": kmalloc: unknown flags 0x" + Integer.toHexString(flags));
        }
        int cls = sizeClass((int) size, (flags & GFP_DMA) != 0);
        if ((flags & GFP_ATOMIC) != 0) {
            if (!lock.tryLock()) {
                return MemorySegment.NULL;
            }
        } else {
            lock.lock();
        }
        MemorySegment out;
        try {
            checkOpen();
            Slab slab = partial.get(cls).peek();
            if (slab == null) {
                if (slabBytes + vmalloc.bytes() + slabSize(cls) > limitBytes.getAsLong()) {
                    if ((flags & GFP_ATOMIC) != 0) {
                        return MemorySegment.NULL;
                    }
                    throw new KmemException(module + ": kmalloc(" + size + "): module memory limit of " + limitBytes.getAsLong()
                            + " bytes reached (sysctl kmem.module_limit_bytes)");
                }
                slab = newSlab(cls);
            }
            int slot = slab.take((int) size);
            if (slab.isFull()) {
                partial.get(cls).poll();
            }
            if (debug.getAsBoolean()) {
                slab.sites[slot] = AllocationSite.caller();
            }
            kmallocObjects++;
            kmallocBytes += size;
            out = slab.memory.asSlice((long) slot * slab.objectSize, size);
        } finally {
            lock.unlock();
        }
        if ((flags & GFP_ZERO) != 0) {
            out.fill((byte) 0);
        }
        return out;
    }

    @Override
    public MemorySegment kzalloc(long size, int flags) {
        return kmalloc(size, flags | GFP_ZERO);
    }

    @Override
    public void kfree(MemorySegment segment) {
        if (segment == null || segment.equals(MemorySegment.NULL)) {
            return; // kfree(NULL) is a no-op, as in the kernel
        }
        long address = segment.address();
        lock.lock();
        try {
            checkOpen();
            Slab slab = slabAt(address);
            if (slab == null) {
                String what = vmalloc.isLive(address) ? "vmalloc memory (use vfree)" : "memory this module did not kmalloc";
                throw new KmemException(module + ": kfree of 0x" + Long.toHexString(address) + ": " + what);
            }
            long offset = address - slab.base;
            int slot = (int) (offset / slab.objectSize);
            if (offset % slab.objectSize != 0) {
                throw new KmemException(module + ": kfree of 0x" + Long.toHexString(address) + ": inside an object, not its start");
            }
            if (!slab.isLive(slot)) {
                throw new KmemException(module + ": double kfree of 0x" + Long.toHexString(address) + " (object of " + slab.objectSize + " bytes)");
            }
            if (segment.byteSize() != slab.requested[slot]) {
                throw new KmemException(module + ": kfree of 0x" + Long.toHexString(address) + ": segment of " + segment.byteSize()
                        + " bytes, but " + slab.requested[slot] + " were allocated there (a slice?)");
            }
            kmallocObjects--;
            kmallocBytes -= slab.requested[slot];
            if (debug.getAsBoolean()) {
                slab.memory.asSlice(offset, slab.objectSize).fill(POISON_FREE);
            }
            boolean wasFull = slab.isFull();
            slab.release(slot);
            if (wasFull) {
                partial.get(classIndexOf(slab.objectSize)).push(slab);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public MemorySegment vmalloc(long size) {
        lock.lock();
        try {
            checkOpen();
            long rounded = VmallocRegions.pageRound(size);
            if (size > 0 && slabBytes + vmalloc.bytes() + rounded > limitBytes.getAsLong()) {
                throw new KmemException(module + ": vmalloc(" + size + "): module memory limit of " + limitBytes.getAsLong()
                        + " bytes reached (sysctl kmem.module_limit_bytes)");
            }
            return vmalloc.allocate(size, debug.getAsBoolean() ? AllocationSite.caller() : null);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void vfree(MemorySegment segment) {
        lock.lock();
        try {
            checkOpen();
            if (slabAt(segment.address()) != null) {
                throw new KmemException(module + ": vfree of 0x" + Long.toHexString(segment.address()) + ": kmalloc memory (use kfree)");
            }
            vmalloc.free(segment);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public MemStats stats() {
        lock.lock();
        try {
            return new MemStats(kmallocObjects, kmallocBytes, vmalloc.count(), vmalloc.bytes());
        } finally {
            lock.unlock();
        }
    }

    /** Bytes the module holds: its slabs and its vmalloc regions. */
    public long footprint() {
        lock.lock();
        try {
            return slabBytes + vmalloc.bytes();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lists what the module left allocated, then frees everything. After this every segment the
     * module holds is inaccessible.
     */
    public LeakReport reclaim() {
        lock.lock();
        try {
            if (reclaimed) {
                return new LeakReport(0, 0, 0, 0, List.of());
            }
            List<String> lines = new ArrayList<>();
            for (Slab s : slabsByBase) {
                for (int i = 0; i < s.count; i++) {
                    if (s.isLive(i)) {
                        lines.add("kmalloc " + s.requested[i] + " bytes at 0x" + Long.toHexString(s.base + (long) i * s.objectSize)
                                + (s.sites[i] == null ? "" : " allocated at " + s.sites[i]));
                    }
                }
            }
            lines.addAll(vmalloc.describeLive());
            LeakReport report = new LeakReport(kmallocObjects, kmallocBytes, vmalloc.count(), vmalloc.bytes(), List.copyOf(lines));
            reclaimed = true;
            vmalloc.freeAll();
            arena.close();
            return report;
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() {
        if (reclaimed) {
            throw new KmemException(module + ": memory used after the module was unloaded");
        }
    }

    private Slab newSlab(int cls) {
        int size = CLASSES[cls];
        long bytes = slabSize(cls);
        Slab slab = new Slab(pages.slab(bytes), size);
        slabBytes += bytes;
        int at = -Arrays.binarySearch(slabBases, slab.base) - 1;
        long[] bases = new long[slabBases.length + 1];
        Slab[] slabs = new Slab[bases.length];
        System.arraycopy(slabBases, 0, bases, 0, at);
        System.arraycopy(slabsByBase, 0, slabs, 0, at);
        bases[at] = slab.base;
        slabs[at] = slab;
        System.arraycopy(slabBases, at, bases, at + 1, slabBases.length - at);
        System.arraycopy(slabsByBase, at, slabs, at + 1, slabsByBase.length - at);
        slabBases = bases;
        slabsByBase = slabs;
        partial.get(cls).push(slab);
        return slab;
    }

    private static long slabSize(int cls) {
        return Math.max(SLAB_BYTES, 4L * CLASSES[cls]);
    }

    private Slab slabAt(long address) {
        int i = Arrays.binarySearch(slabBases, address);
        int at = i >= 0 ? i : -i - 2;
        if (at < 0) {
            return null;
        }
        Slab s = slabsByBase[at];
        return s.contains(address) ? s : null;
    }

    private static int sizeClass(int size, boolean dma) {
        for (int i = 0; i < CLASSES.length; i++) {
            if (CLASSES[i] >= size && (!dma || CLASSES[i] % DMA_ALIGNMENT == 0)) {
                return i;
            }
        }
        throw new IllegalArgumentException("size " + size);
    }

    private static int classIndexOf(int objectSize) {
        return Arrays.binarySearch(CLASSES, objectSize);
    }
}

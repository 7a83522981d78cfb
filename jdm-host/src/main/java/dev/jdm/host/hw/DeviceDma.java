package dev.jdm.host.hw;

import dev.jdm.abi.hw.Dma;
import dev.jdm.abi.hw.DmaBuffer;
import dev.jdm.abi.hw.DmaPool;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.mem.Kmem;
import dev.jdm.abi.mem.KmemException;
import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A bound device's DMA memory: pages from the module's vmalloc (so they count against its memory
 * limit and show in lsmod), mapped into the device's {@link DmaMap}. What the driver has not
 * freed when the binding ends is unmapped and freed by {@link #releaseAll()}, after the device
 * was stopped, so nothing the device could still reach is given back early.
 */
final class DeviceDma implements Dma {
    private final Kmem kmem;
    private final DmaMap map;
    private final String device;
    private final Set<Coherent> live = ConcurrentHashMap.newKeySet();
    private final Set<Streaming> streaming = ConcurrentHashMap.newKeySet();
    private volatile boolean released;

    DeviceDma(Kmem kmem, DmaMap map, String device) {
        this.kmem = kmem;
        this.map = map;
        this.device = device;
    }

    @Override
    public DmaBuffer coherent(long size) {
        if (size < 1) {
            throw new HwException(HwException.EINVAL, device + ": a DMA buffer of " + size + " bytes");
        }
        if (released) {
            throw new HwException(HwException.ENODEV, device + ": the binding has ended");
        }
        long bytes = (size + DmaMap.PAGE - 1) / DmaMap.PAGE * DmaMap.PAGE;
        MemorySegment memory;
        try {
            memory = kmem.vmalloc(bytes);
        } catch (KmemException e) {
            throw new HwException(HwException.ENOMEM, device + ": no memory for a DMA buffer of " + size + " bytes: " + e.getMessage());
        }
        Coherent b = new Coherent(memory, map.map(memory), size);
        live.add(b);
        return b;
    }

    @Override
    public DmaBuffer map(MemorySegment memory) {
        if (!memory.isNative() || memory.byteSize() < 1) {
            throw new HwException(HwException.EINVAL, device + ": only native memory of at least one byte can be mapped for DMA");
        }
        if (released) {
            throw new HwException(HwException.ENODEV, device + ": the binding has ended");
        }
        Streaming s = new Streaming(memory, map.mapAnywhere(memory));
        streaming.add(s);
        return s;
    }

    @Override
    public DmaPool pool(int blockSize, int align) {
        return DmaPools.over(this, blockSize, align, device);
    }

    /** Buffers still mapped. */
    int outstanding() {
        return live.size();
    }

    /** Unmaps and frees everything still held; returns how many buffers that was. */
    int releaseAll() {
        released = true;
        streaming.forEach(Streaming::close); // the memory is the caller's: unmapped, not counted as left
        int n = 0;
        for (Coherent b : live) {
            b.close();
            n++;
        }
        return n;
    }

    private final class Coherent implements DmaBuffer {
        private final MemorySegment memory;
        private final long bus;
        private final long size;
        private final AtomicBoolean closed = new AtomicBoolean();

        Coherent(MemorySegment memory, long bus, long size) {
            this.memory = memory;
            this.bus = bus;
            this.size = size;
        }

        @Override
        public long busAddress() {
            return bus;
        }

        @Override
        public MemorySegment memory() {
            return memory.asSlice(0, size);
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                map.unmap(bus);
                live.remove(this);
                kmem.vfree(memory);
            }
        }
    }

    /** A mapping of the caller's memory: closing it unmaps, and frees nothing. */
    private final class Streaming implements DmaBuffer {
        private final MemorySegment memory;
        private final long bus;
        private final AtomicBoolean closed = new AtomicBoolean();

        Streaming(MemorySegment memory, long bus) {
            this.memory = memory;
            this.bus = bus;
        }

        @Override
        public long busAddress() {
            return bus;
        }

        @Override
        public MemorySegment memory() {
            return memory;
        }

        @Override
        public long size() {
            return memory.byteSize();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                map.unmap(bus);
                streaming.remove(this);
            }
        }
    }
}

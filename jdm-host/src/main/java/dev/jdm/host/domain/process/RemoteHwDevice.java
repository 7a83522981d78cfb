package dev.jdm.host.domain.process;

import dev.jdm.abi.hw.Dma;
import dev.jdm.abi.hw.DmaBuffer;
import dev.jdm.abi.hw.DmaPool;
import dev.jdm.abi.hw.HwDevice;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.Irq;
import dev.jdm.abi.hw.IrqHandler;
import dev.jdm.abi.hw.IrqResult;
import dev.jdm.abi.hw.Mmio;
import dev.jdm.abi.hw.PciConfig;
import dev.jdm.abi.hw.Pio;
import dev.jdm.host.domain.DomainProtocol;
import dev.jdm.host.domain.HwOps;
import dev.jdm.host.hw.DmaPools;
import dev.jdm.isolation.channel.ControlChannelException;
import dev.jdm.isolation.shm.SharedRegion;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A device bound to a driver in this domain: every register access is an HW_OP the host performs
 * on the grants it holds for the binding, and checks as it checks a colocated driver's. DMA
 * buffers are memfds the host created and sealed; this process maps the same pages. A streaming
 * mapping of memory the host cannot see is bounced through such a buffer, as swiotlb does: copied
 * in at map, copied back at unmap.
 */
final class RemoteHwDevice implements HwDevice {
    private final HostLink host;
    private final String module;
    private final long binding;
    private final String bus;
    private final String name;
    private final String modalias;
    private final int msix;
    private final Map<Integer, IrqHandler> handlers = new ConcurrentHashMap<>();
    private final Set<DmaBuffer> buffers = ConcurrentHashMap.newKeySet();
    /**
     * Bounce buffers of streaming maps given back, by size in pages, for the next map of that size:
     * a buffer costs the host a memfd, two mappings and a descriptor, too much to pay per request.
     */
    private final Map<Long, java.util.ArrayDeque<DmaBuffer>> bounces = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong bouncesHeld = new java.util.concurrent.atomic.AtomicLong();
    private static final long BOUNCE_CACHE = 64L << 20;
    private volatile boolean released;

    RemoteHwDevice(HostLink host, String module, long binding, String bus, String name, String modalias, int msix) {
        this.host = host;
        this.module = module;
        this.binding = binding;
        this.bus = bus;
        this.name = name;
        this.modalias = modalias;
        this.msix = msix;
    }

    /** An HW_ANSWER's value, or its errno thrown. */
    static long check(DomainProtocol.Reader in, String what) {
        try {
            int errno = in.i("errno", 0, 4095);
            long value = in.l("value");
            String message = in.message("message");
            in.end();
            if (errno != 0) {
                throw new HwException(errno, message.isEmpty() ? what + ": errno " + errno : message);
            }
            return value;
        } catch (ControlChannelException e) {
            throw new HwException(HwException.EIO, what + ": " + e.getMessage());
        }
    }

    private HostLink.Asked ask(int op, int a, long b, int width, long value) {
        if (released) {
            throw new HwException(HwException.ENODEV, name + ": the binding has ended");
        }
        try {
            return host.askWithFd(DomainProtocol.HW_OP, w -> w.name(module).l(binding).i(op).i(a).l(b).i(width).l(value));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HwException(HwException.EIO, name + ": interrupted");
        }
    }

    long op(int op, int a, long b, int width, long value) {
        HostLink.Asked r = ask(op, a, b, width, value);
        if (r.fd() >= 0) {
            dev.jdm.isolation.sys.Sys.closeQuietly(r.fd());
        }
        return check(r.in(), name);
    }

    /** The host ran this vector's handler here. */
    IrqResult interrupt(int vector) {
        IrqHandler h = handlers.get(vector);
        return h == null ? IrqResult.NONE : h.handle(vector);
    }

    /** The binding ended: DMA buffers still held are unmapped here (the host frees its side). */
    void release() {
        released = true;
        handlers.clear();
        bounces.clear();
        for (DmaBuffer b : Set.copyOf(buffers)) {
            b.close();
        }
    }

    @Override
    public String bus() {
        return bus;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String modalias() {
        return modalias;
    }

    @Override
    public boolean present() {
        try {
            return !released && op(HwOps.PRESENT, 0, 0, 0, 0) == 1;
        } catch (HwException e) {
            return false;
        }
    }

    @Override
    public PciConfig config() {
        if (bus.equals("platform")) {
            throw new HwException(HwException.ENXIO, name + " is a platform device: it has no config space");
        }
        return new PciConfig() {
            @Override
            public int size() {
                return 4096;
            }

            @Override
            public int read(int offset, int size) {
                return (int) op(HwOps.CONFIG_READ, 0, offset, size, 0);
            }

            @Override
            public void write(int offset, int size, int value) {
                op(HwOps.CONFIG_WRITE, 0, offset, size, value & 0xffffffffL);
            }

            @Override
            public int findCapability(int id, int from) {
                return (int) op(HwOps.FIND_CAPABILITY, id, from, 0, 0);
            }
        };
    }

    @Override
    public Mmio mmio(int bar) {
        long size = op(HwOps.BAR_SIZE, bar, 0, 0, 0);
        return new Mmio() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public int read8(long offset) {
                return (int) op(HwOps.MMIO_READ, bar, offset, 1, 0);
            }

            @Override
            public int read16(long offset) {
                return (int) op(HwOps.MMIO_READ, bar, offset, 2, 0);
            }

            @Override
            public int read32(long offset) {
                return (int) op(HwOps.MMIO_READ, bar, offset, 4, 0);
            }

            @Override
            public long read64(long offset) {
                return op(HwOps.MMIO_READ, bar, offset, 8, 0);
            }

            @Override
            public void write8(long offset, int value) {
                op(HwOps.MMIO_WRITE, bar, offset, 1, value & 0xff);
            }

            @Override
            public void write16(long offset, int value) {
                op(HwOps.MMIO_WRITE, bar, offset, 2, value & 0xffff);
            }

            @Override
            public void write32(long offset, int value) {
                op(HwOps.MMIO_WRITE, bar, offset, 4, value & 0xffffffffL);
            }

            @Override
            public void write64(long offset, long value) {
                op(HwOps.MMIO_WRITE, bar, offset, 8, value);
            }

            // each access is a round trip through a socket, which orders it after everything before;
            // the fences keep this thread's own accesses to the shared DMA pages in order around it
            @Override
            public void mb() {
                VarHandle.fullFence();
            }

            @Override
            public void rmb() {
                VarHandle.acquireFence();
            }

            @Override
            public void wmb() {
                VarHandle.releaseFence();
            }
        };
    }

    @Override
    public Pio pio(int bar) {
        int size = (int) op(HwOps.BAR_SIZE, bar, 0, 1, 0);
        return new Pio() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public int in8(int port) {
                return (int) op(HwOps.PIO_READ, bar, port, 1, 0);
            }

            @Override
            public int in16(int port) {
                return (int) op(HwOps.PIO_READ, bar, port, 2, 0);
            }

            @Override
            public int in32(int port) {
                return (int) op(HwOps.PIO_READ, bar, port, 4, 0);
            }

            @Override
            public void out8(int port, int value) {
                op(HwOps.PIO_WRITE, bar, port, 1, value & 0xff);
            }

            @Override
            public void out16(int port, int value) {
                op(HwOps.PIO_WRITE, bar, port, 2, value & 0xffff);
            }

            @Override
            public void out32(int port, int value) {
                op(HwOps.PIO_WRITE, bar, port, 4, value & 0xffffffffL);
            }
        };
    }

    @Override
    public int msixVectors() {
        return msix;
    }

    @Override
    public Irq irq(int vector, IrqHandler handler) {
        if (handlers.putIfAbsent(vector, handler) != null) {
            throw new HwException(HwException.EBUSY, name + ": " + (vector == Irq.INTX ? "INTx" : "vector " + vector) + " is already requested");
        }
        try {
            op(HwOps.IRQ_REQUEST, vector, 0, 0, 0);
        } catch (RuntimeException e) {
            handlers.remove(vector);
            throw e;
        }
        return new Irq() {
            @Override
            public int vector() {
                return vector;
            }

            @Override
            public void mask() {
                op(HwOps.IRQ_MASK, vector, 0, 0, 0);
            }

            @Override
            public void unmask() {
                op(HwOps.IRQ_UNMASK, vector, 0, 0, 0);
            }

            @Override
            public void poll(long periodMillis) {
                if (periodMillis < 0) {
                    throw new HwException(HwException.EINVAL, "poll period " + periodMillis + " ms");
                }
                op(HwOps.IRQ_POLL, vector, periodMillis, 0, 0);
            }

            @Override
            public long delivered() {
                return op(HwOps.IRQ_DELIVERED, vector, 0, 0, 0);
            }

            @Override
            public long spurious() {
                return op(HwOps.IRQ_SPURIOUS, vector, 0, 0, 0);
            }

            @Override
            public void free() {
                if (handlers.remove(vector) != null && !released) {
                    try {
                        op(HwOps.IRQ_FREE, vector, 0, 0, 0);
                    } catch (HwException e) {
                        // the binding went first: the host freed it
                    }
                }
            }
        };
    }

    @Override
    public Dma dma() {
        return new Dma() {
            @Override
            public DmaBuffer coherent(long size) {
                if (size < 1) {
                    throw new HwException(HwException.EINVAL, name + ": a DMA buffer of " + size + " bytes");
                }
                HostLink.Asked r = ask(HwOps.DMA_ALLOC, 0, size, 0, 0);
                long bus;
                try {
                    bus = check(r.in(), name);
                } catch (HwException e) {
                    if (r.fd() >= 0) {
                        dev.jdm.isolation.sys.Sys.closeQuietly(r.fd());
                    }
                    throw e;
                }
                if (r.fd() < 0) {
                    throw new HwException(HwException.EIO, name + ": the host sent no memory with the DMA buffer");
                }
                SharedRegion region;
                try {
                    region = SharedRegion.map(r.fd(), DomainProtocol.pages(size));
                } catch (IOException e) {
                    dev.jdm.isolation.sys.Sys.closeQuietly(r.fd());
                    op(HwOps.DMA_FREE, 0, bus, 0, 0);
                    throw new HwException(HwException.ENOMEM, name + ": cannot map a DMA buffer: " + e.getMessage());
                }
                DmaBuffer b = new Shared(region, bus, size);
                buffers.add(b);
                return b;
            }

            @Override
            public DmaBuffer map(MemorySegment memory) {
                if (!memory.isNative() || memory.byteSize() < 1) {
                    throw new HwException(HwException.EINVAL, name + ": only native memory of at least one byte can be mapped for DMA");
                }
                long pages = DomainProtocol.pages(memory.byteSize());
                DmaBuffer bounce = null;
                java.util.ArrayDeque<DmaBuffer> free = bounces.get(pages);
                if (free != null) {
                    synchronized (free) {
                        bounce = free.poll();
                    }
                }
                if (bounce != null) {
                    bouncesHeld.addAndGet(-pages);
                } else {
                    bounce = coherent(pages);
                }
                MemorySegment.copy(memory, 0, bounce.memory(), 0, memory.byteSize());
                return new Bounced(memory, bounce, pages);
            }

            @Override
            public DmaPool pool(int blockSize, int align) {
                return DmaPools.over(this, blockSize, align, name);
            }
        };
    }

    /** A buffer in a memfd the host made: both processes map it; the device reaches it at {@code bus}. */
    private final class Shared implements DmaBuffer {
        private final SharedRegion region;
        private final long bus;
        private final long size;
        private final AtomicBoolean closed = new AtomicBoolean();

        Shared(SharedRegion region, long bus, long size) {
            this.region = region;
            this.bus = bus;
            this.size = size;
        }

        @Override
        public long busAddress() {
            return bus;
        }

        @Override
        public MemorySegment memory() {
            return region.segment().asSlice(0, size);
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                buffers.remove(this);
                if (!released) {
                    try {
                        op(HwOps.DMA_FREE, 0, bus, 0, 0);
                    } catch (HwException e) {
                        // the binding went first: the host freed its side
                    }
                }
                try {
                    region.close();
                } catch (IOException e) {
                    // unmapping failed: nothing more to do here
                }
            }
        }
    }

    /** A streaming mapping bounced through a shared buffer: what the device wrote is copied back at close. */
    private final class Bounced implements DmaBuffer {
        private final MemorySegment memory;
        private final DmaBuffer bounce;
        private final long pages;
        private final AtomicBoolean closed = new AtomicBoolean();

        Bounced(MemorySegment memory, DmaBuffer bounce, long pages) {
            this.memory = memory;
            this.bounce = bounce;
            this.pages = pages;
        }

        @Override
        public long busAddress() {
            return bounce.busAddress();
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
                MemorySegment.copy(bounce.memory(), 0, memory, 0, memory.byteSize());
                if (!released && bouncesHeld.addAndGet(pages) <= BOUNCE_CACHE) {
                    java.util.ArrayDeque<DmaBuffer> free = bounces.computeIfAbsent(pages, k -> new java.util.ArrayDeque<>());
                    synchronized (free) {
                        free.push(bounce); // kept mapped for the next map of this size
                    }
                } else {
                    bouncesHeld.addAndGet(-pages);
                    bounce.close();
                }
            }
        }
    }
}

package dev.jdm.host.domain;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.hw.DmaBuffer;
import dev.jdm.abi.hw.HwBinding;
import dev.jdm.abi.hw.HwDevice;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.Irq;
import dev.jdm.abi.hw.IrqResult;
import dev.jdm.abi.hw.Mmio;
import dev.jdm.abi.hw.Pio;
import dev.jdm.host.module.ModuleSite;
import dev.jdm.isolation.channel.ControlChannelException;
import dev.jdm.isolation.channel.Frame;
import dev.jdm.isolation.process.DomainProcess;
import dev.jdm.isolation.shm.SharedRegion;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hardware drivers of a domain's modules. A module's HW_REGISTER registers a proxy driver on its
 * host-side hw() face, so binding by alias, resource_grant and removal at unload are the
 * colocated ones. The proxy's probe gives the device a binding number and calls the domain
 * (HW_CALL PROBE); from then on every access the driver makes is an HW_OP the host performs on the
 * real grants (windows, vectors), and every interrupt is an HW_CALL IRQ, answered once the
 * domain's handler returned. DMA buffers are memfds the host creates, seals and maps for the
 * device; the domain maps the same pages. When the process dies its bindings go (the device is
 * quiesced and its DMA unmapped) and the restarted module probes again.
 */
final class DomainHw {
    /** How long a probe or remove waits for the domain. */
    static final long CALL_TIMEOUT_MS = 30_000;
    /** How long an interrupt waits for the domain's handler before it counts as unanswered. */
    static final long IRQ_TIMEOUT_MS = 5_000;

    private final Domain domain;
    private final DomainDriverCalls calls;
    private final Map<Long, Binding> bindings = new ConcurrentHashMap<>();
    /** The last (up to 4096) delays from the host's proxy handler starting to the domain's handler starting. */
    private final long[] transit = new long[4096];
    private long transits;

    /** One device bound to a driver in the domain, and what it was granted through the host. */
    private static final class Binding {
        final String module;
        final HwDevice device;
        final Map<Integer, Mmio> mmio = new ConcurrentHashMap<>();
        final Map<Integer, Pio> pio = new ConcurrentHashMap<>();
        final Map<Integer, Irq> irqs = new ConcurrentHashMap<>();
        final Map<Long, Dma> dma = new ConcurrentHashMap<>();
        final AtomicLong dmaBytes = new AtomicLong();
        volatile boolean gone;

        Binding(String module, HwDevice device) {
            this.module = module;
            this.device = device;
        }
    }

    /** A DMA buffer: the host's mapping of the memfd, and the device's mapping of that. */
    private record Dma(SharedRegion region, DmaBuffer mapped) {}

    DomainHw(Domain domain) {
        this.domain = domain;
        this.calls = new DomainDriverCalls(domain);
    }

    void newProcess(DomainProcess p) {
        calls.newProcess(p);
    }

    boolean handle(DomainProcess p, Frame f) throws ControlChannelException {
        switch (f.type()) {
            case DomainProtocol.HW_REGISTER -> register(p, f);
            case DomainProtocol.HW_OP -> op(p, f);
            case DomainProtocol.HW_RESULT -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("HW_RESULT", f.payload());
                long id = in.l("id");
                int errno = in.i("errno", 0, 4095);
                long value = in.l("value");
                String message = in.message("message");
                in.end();
                calls.answered(id, errno, value, message, "HW_RESULT");
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private void register(DomainProcess p, Frame f) throws ControlChannelException {
        DomainProtocol.Reader in = new DomainProtocol.Reader("HW_REGISTER", f.payload());
        long id = in.l("id");
        ModuleSite site = domain.site(in.name("module"));
        in.end();
        calls.register(p, id, site, "hw", hw -> hw.register(dev -> probe(site.name(), dev)));
    }

    /** The proxy's probe: the device gets a binding number and the domain's driver is asked. */
    private HwBinding probe(String module, HwDevice dev) {
        long binding = calls.nextId();
        Binding b = new Binding(module, dev);
        bindings.put(binding, b);
        try {
            call(HwOps.PROBE, module, binding, 0, w -> w.message(dev.name()).message(dev.modalias()).i(dev.msixVectors()).name(dev.bus()), CALL_TIMEOUT_MS);
        } catch (RuntimeException e) {
            release(binding);
            throw e;
        }
        return () -> {
            try {
                if (calls.serving() && !b.gone) {
                    call(HwOps.REMOVE, module, binding, 0, w -> w, CALL_TIMEOUT_MS);
                }
            } catch (HwException e) {
                domain.log().append(LogLevel.WARNING, module, dev.name() + ": remove() in domain " + domain.name() + ": " + e.getMessage());
            } finally {
                release(binding);
            }
        };
    }

    /** Frees what a binding was granted through the host; the board revokes the grants themselves after. */
    private void release(long binding) {
        Binding b = bindings.remove(binding);
        if (b == null) {
            return;
        }
        b.gone = true;
        b.irqs.values().forEach(Irq::free);
        for (Dma d : b.dma.values()) {
            d.mapped().close();
            try {
                d.region().close();
            } catch (IOException e) {
                domain.log().append(LogLevel.WARNING, b.module, "closing a DMA buffer: " + e.getMessage());
            }
        }
    }

    /** Calls the domain's driver and waits; the answer's value, or its errno thrown. */
    private long call(int op, String module, long binding, int vector, java.util.function.UnaryOperator<DomainProtocol.Writer> extra, long timeoutMs) {
        return calls.call(DomainProtocol.HW_CALL, w -> extra.apply(w.i(op).name(module).l(binding).i(vector)), timeoutMs, module + ": a hardware call");
    }

    private void op(DomainProcess p, Frame f) throws ControlChannelException {
        DomainProtocol.Reader in = new DomainProtocol.Reader("HW_OP", f.payload());
        long id = in.l("id");
        String module = domain.site(in.name("module")).name();
        long binding = in.l("binding");
        int op = in.i("op", 1, HwOps.BAR_SIZE);
        int a = in.i("a");
        long b = in.l("b");
        int width = in.i("width", 0, 8);
        long value = in.l("value");
        in.end();
        // off the reader: an access may wait (an interrupt being freed waits for its handler, which waits for the domain)
        Thread.ofVirtual().start(() -> {
            int errno = 0;
            long result = 0;
            String message = "";
            int[] fd = {-1};
            try {
                Binding bound = bindings.get(binding);
                if (bound == null || !bound.module.equals(module) || bound.gone) {
                    throw new HwException(HwException.ENODEV, module + ": binding " + binding + " is gone");
                }
                result = perform(bound, module, binding, op, a, b, width, value, fd);
            } catch (HwException e) {
                errno = e.errno();
                message = e.getMessage();
            } catch (RuntimeException | IOException e) {
                errno = HwException.EIO;
                message = module + ": " + e;
            }
            answer(p, id, errno, result, message, fd[0]);
        });
    }

    private long perform(Binding bound, String module, long binding, int op, int a, long b, int width, long value, int[] fd) throws IOException {
        HwDevice dev = bound.device;
        return switch (op) {
            case HwOps.CONFIG_READ -> dev.config().read((int) b, width) & 0xffffffffL;
            case HwOps.CONFIG_WRITE -> {
                dev.config().write((int) b, width, (int) value);
                yield 0;
            }
            case HwOps.FIND_CAPABILITY -> dev.config().findCapability(a, (int) b);
            case HwOps.BAR_SIZE -> width == 0 ? bound.mmio.computeIfAbsent(a, dev::mmio).size() : bound.pio.computeIfAbsent(a, dev::pio).size();
            case HwOps.MMIO_READ -> {
                Mmio m = bound.mmio.computeIfAbsent(a, dev::mmio);
                yield switch (width) {
                    case 1 -> m.read8(b);
                    case 2 -> m.read16(b);
                    case 4 -> m.read32(b) & 0xffffffffL;
                    default -> m.read64(b);
                };
            }
            case HwOps.MMIO_WRITE -> {
                Mmio m = bound.mmio.computeIfAbsent(a, dev::mmio);
                switch (width) {
                    case 1 -> m.write8(b, (int) value);
                    case 2 -> m.write16(b, (int) value);
                    case 4 -> m.write32(b, (int) value);
                    default -> m.write64(b, value);
                }
                yield 0;
            }
            case HwOps.PIO_READ -> {
                Pio io = bound.pio.computeIfAbsent(a, dev::pio);
                yield switch (width) {
                    case 1 -> io.in8((int) b);
                    case 2 -> io.in16((int) b);
                    default -> io.in32((int) b) & 0xffffffffL;
                };
            }
            case HwOps.PIO_WRITE -> {
                Pio io = bound.pio.computeIfAbsent(a, dev::pio);
                switch (width) {
                    case 1 -> io.out8((int) b, (int) value);
                    case 2 -> io.out16((int) b, (int) value);
                    default -> io.out32((int) b, (int) value);
                }
                yield 0;
            }
            case HwOps.PRESENT -> dev.present() ? 1 : 0;
            case HwOps.IRQ_REQUEST -> {
                Irq irq = dev.irq(a, v -> interrupt(module, binding, v));
                if (bound.irqs.putIfAbsent(a, irq) != null) {
                    irq.free();
                    throw new HwException(HwException.EBUSY, dev.name() + ": vector " + a + " is already requested");
                }
                yield 0;
            }
            case HwOps.IRQ_MASK, HwOps.IRQ_UNMASK, HwOps.IRQ_FREE, HwOps.IRQ_POLL, HwOps.IRQ_DELIVERED, HwOps.IRQ_SPURIOUS -> {
                Irq irq = op == HwOps.IRQ_FREE ? bound.irqs.remove(a) : bound.irqs.get(a);
                if (irq == null) {
                    throw new HwException(HwException.EINVAL, dev.name() + ": vector " + a + " is not requested");
                }
                yield switch (op) {
                    case HwOps.IRQ_MASK -> {
                        irq.mask();
                        yield 0;
                    }
                    case HwOps.IRQ_UNMASK -> {
                        irq.unmask();
                        yield 0;
                    }
                    case HwOps.IRQ_FREE -> {
                        irq.free();
                        yield 0;
                    }
                    case HwOps.IRQ_POLL -> {
                        irq.poll(b);
                        yield 0;
                    }
                    case HwOps.IRQ_DELIVERED -> irq.delivered();
                    default -> irq.spurious();
                };
            }
            case HwOps.DMA_ALLOC -> {
                long bytes = DomainProtocol.pages(b);
                if (b < 1 || bound.dmaBytes.addAndGet(bytes) > HwOps.DMA_LIMIT) {
                    bound.dmaBytes.addAndGet(-bytes);
                    throw new HwException(b < 1 ? HwException.EINVAL : HwException.ENOMEM, dev.name() + ": a DMA buffer of " + b + " bytes"
                            + (b < 1 ? "" : " would pass the " + (HwOps.DMA_LIMIT >> 20) + " MiB a domain's binding may hold"));
                }
                SharedRegion region = SharedRegion.create("jdm-dma-" + module, bytes);
                DmaBuffer mapped;
                try {
                    mapped = dev.dma().map(region.segment());
                } catch (RuntimeException e) {
                    region.close();
                    bound.dmaBytes.addAndGet(-bytes);
                    throw e;
                }
                bound.dma.put(mapped.busAddress(), new Dma(region, mapped));
                fd[0] = region.fd();
                yield mapped.busAddress();
            }
            case HwOps.DMA_FREE -> {
                Dma d = bound.dma.remove(b);
                if (d == null) {
                    throw new HwException(HwException.EINVAL, dev.name() + ": no DMA buffer at bus address 0x" + Long.toHexString(b));
                }
                d.mapped().close();
                bound.dmaBytes.addAndGet(-d.region().size());
                d.region().close();
                yield 0;
            }
            default -> throw new HwException(HwException.EINVAL, "hardware op " + op);
        };
    }

    /** The host's interrupt handler for a vector of a domain's driver: the domain runs the real one. */
    private IrqResult interrupt(String module, long binding, int vector) {
        Binding b = bindings.get(binding);
        if (b == null || b.gone || !calls.serving()) {
            return IrqResult.NONE;
        }
        long sent = System.nanoTime();
        try {
            long v = call(HwOps.IRQ, module, binding, vector, w -> w, IRQ_TIMEOUT_MS);
            synchronized (transit) {
                transit[(int) (transits++ % transit.length)] = (v >>> 1) - sent; // both clocks are the machine's CLOCK_MONOTONIC
            }
            return (v & 1) == 1 ? IrqResult.HANDLED : IrqResult.NONE;
        } catch (HwException e) {
            return IrqResult.NONE;
        }
    }

    /** The delays sampled from the host's handler starting to the domain's starting, in nanoseconds. */
    long[] interruptTransits() {
        synchronized (transit) {
            return java.util.Arrays.copyOf(transit, (int) Math.min(transits, transit.length));
        }
    }

    private void answer(DomainProcess p, long id, int errno, long value, String message, int fd) {
        byte[] payload = new DomainProtocol.Writer().l(id).i(errno).l(value).message(message).bytes();
        if (fd >= 0) {
            DomainChannel.sendQuietly(p, DomainProtocol.HW_ANSWER, payload, fd);
        } else {
            DomainChannel.sendQuietly(p, DomainProtocol.HW_ANSWER, payload);
        }
    }

    /**
     * The process died: waiting calls fail, and every binding of its modules goes (the board
     * quiesces the devices and unmaps their DMA), so the restarted modules probe them afresh.
     */
    void died(String why) {
        bindings.values().forEach(b -> b.gone = true);
        calls.died(why);
    }

    /** The module left the domain: its host-side hw() face has removed its bindings. */
    void forget(String module) {
        calls.forget(module);
    }
}

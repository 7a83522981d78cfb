package dev.jdm.host.domain;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.hw.HwBinding;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.HwLayer;
import dev.jdm.abi.hw.Urb;
import dev.jdm.abi.hw.UsbEndpoint;
import dev.jdm.abi.hw.UsbInterface;
import dev.jdm.host.hw.HwService;
import dev.jdm.host.module.ModuleSite;
import dev.jdm.isolation.channel.ControlChannelException;
import dev.jdm.isolation.channel.Frame;
import dev.jdm.isolation.process.DomainProcess;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * USB drivers of a domain's modules, as {@link DomainHw} carries PCI ones: a proxy registered on the
 * module's host-side hw() binds interfaces by alias; the domain's probe and remove are USB_CALLs;
 * control transfers and URBs are USB_OPs the host performs on the interface it holds. A URB runs on
 * a buffer of the host's; its completion, with what an IN transfer brought, is a USB_CALL URB_DONE.
 */
final class DomainUsb {
    private final Domain domain;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    private final Map<Long, Bound> bindings = new ConcurrentHashMap<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private volatile DomainProcess serving;

    /** An interface held for a driver in the domain (its own or one it claimed), and its URBs by the domain's ids. */
    private static final class Bound {
        final String module;
        final UsbInterface intf;
        final Map<Integer, UsbEndpoint> endpoints = new ConcurrentHashMap<>();
        final Map<Long, Urb> urbs = new ConcurrentHashMap<>();
        final List<Long> claimed = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean gone;

        Bound(String module, UsbInterface intf) {
            this.module = module;
            this.intf = intf;
        }
    }

    DomainUsb(Domain domain) {
        this.domain = domain;
    }

    void newProcess(DomainProcess p) {
        serving = p;
    }

    boolean handle(DomainProcess p, Frame f) throws ControlChannelException {
        switch (f.type()) {
            case DomainProtocol.USB_REGISTER -> register(p, f);
            case DomainProtocol.USB_OP -> op(p, f);
            case DomainProtocol.USB_RESULT -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("USB_RESULT", f.payload());
                long id = in.l("id");
                int errno = in.i("errno", 0, 4095);
                String message = in.message("message");
                in.end();
                CompletableFuture<String> c = pending.remove(id);
                if (c == null) {
                    throw new ControlChannelException("USB_RESULT answer to call " + id + ", which is not waiting");
                }
                if (errno == 0) {
                    c.complete("");
                } else {
                    c.completeExceptionally(new HwException(errno, message));
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private void register(DomainProcess p, Frame f) throws ControlChannelException {
        DomainProtocol.Reader in = new DomainProtocol.Reader("USB_REGISTER", f.payload());
        long id = in.l("id");
        ModuleSite site = domain.site(in.name("module"));
        in.end();
        String module = site.name();
        Thread.ofVirtual().name("domain-usb-register-" + module).start(() -> {
            int errno = 0;
            String message = "";
            try {
                site.face(HwLayer.class).registerUsb(intf -> probe(module, intf));
                registered.add(module);
            } catch (HwException e) {
                errno = e.errno();
                message = e.getMessage();
            } catch (RuntimeException e) {
                errno = HwException.EIO;
                message = module + ": " + e;
            }
            DomainChannel.sendQuietly(p, DomainProtocol.HW_ANSWER, new DomainProtocol.Writer().l(id).i(errno).l(0).message(message).bytes());
        });
    }

    private HwBinding probe(String module, UsbInterface intf) {
        long binding = ids.incrementAndGet();
        Bound b = new Bound(module, intf);
        bindings.put(binding, b);
        try {
            call(UsbOps.PROBE, module, binding, w -> w.message(intf.name()).message(intf.modalias()).i(intf.number()).i(intf.interfaceClass())
                    .i(intf.interfaceSubClass()).i(intf.interfaceProtocol()).i(intf.vendor()).i(intf.product()));
        } catch (RuntimeException e) {
            release(binding);
            throw e;
        }
        return () -> {
            try {
                if (serving != null && !b.gone) {
                    call(UsbOps.REMOVE, module, binding, w -> w);
                }
            } catch (HwException e) {
                domain.log().append(LogLevel.WARNING, module, intf.name() + ": remove() in domain " + domain.name() + ": " + e.getMessage());
            } finally {
                release(binding);
            }
        };
    }

    /** Ends a binding and those of the interfaces it claimed: their URBs still pending are cancelled. */
    private void release(long binding) {
        Bound b = bindings.remove(binding);
        if (b == null) {
            return;
        }
        b.gone = true;
        List.copyOf(b.urbs.values()).forEach(Urb::cancel);
        b.claimed.forEach(this::release);
    }

    private void call(int op, String module, long binding, java.util.function.UnaryOperator<DomainProtocol.Writer> extra) {
        DomainProcess p = serving;
        if (p == null) {
            throw new HwException(HwException.ENODEV, "domain " + domain.name() + " is " + domain.state().label());
        }
        long id = ids.incrementAndGet();
        CompletableFuture<String> f = new CompletableFuture<>();
        pending.put(id, f);
        try {
            DomainChannel.send(p, DomainProtocol.USB_CALL, extra.apply(new DomainProtocol.Writer().l(id).i(op).name(module).l(binding)).bytes());
            f.get(DomainHw.CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            throw new HwException(HwException.ENODEV, "domain " + domain.name() + ": " + e.getMessage());
        } catch (TimeoutException e) {
            throw new HwException(HwException.ETIMEDOUT, "domain " + domain.name() + " did not answer in " + DomainHw.CALL_TIMEOUT_MS + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof HwException h ? h : new HwException(HwException.EIO, String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HwException(HwException.EIO, "interrupted");
        } finally {
            pending.remove(id);
        }
    }

    private void op(DomainProcess p, Frame f) throws ControlChannelException {
        DomainProtocol.Reader in = new DomainProtocol.Reader("USB_OP", f.payload());
        long id = in.l("id");
        String module = domain.site(in.name("module")).name();
        long binding = in.l("binding");
        int op = in.i("op", UsbOps.CONTROL, UsbOps.PRESENT);
        int a = in.i("a");
        long b = in.l("b");
        long value = in.l("value");
        byte[] data = in.data("data", UsbOps.MAX_DATA);
        in.end();
        Thread.ofVirtual().start(() -> {
            int errno = 0;
            long result = 0;
            String message = "";
            byte[][] out = {new byte[0]};
            try {
                Bound bound = bindings.get(binding);
                if (bound == null || !bound.module.equals(module) || bound.gone) {
                    throw new HwException(HwException.ENODEV, module + ": USB binding " + binding + " is gone");
                }
                result = perform(p, bound, binding, op, a, b, value, data, out);
            } catch (HwException e) {
                errno = e.errno();
                message = e.getMessage();
            } catch (RuntimeException e) {
                errno = HwException.EIO;
                message = module + ": " + e;
            }
            DomainChannel.sendQuietly(p, DomainProtocol.USB_ANSWER,
                    new DomainProtocol.Writer().l(id).i(errno).l(result).message(message).data(out[0], UsbOps.MAX_DATA).bytes());
        });
    }

    private long perform(DomainProcess p, Bound bound, long binding, int op, int a, long b, long value, byte[] data, byte[][] out) {
        UsbInterface intf = bound.intf;
        return switch (op) {
            case UsbOps.CONTROL -> {
                int requestType = a & 0xff;
                boolean in = (requestType & 0x80) != 0;
                if (in && (value < 0 || value > UsbOps.MAX_DATA)) {
                    throw new HwException(HwException.EINVAL, intf.name() + ": a control IN stage of " + value + " bytes, at most " + UsbOps.MAX_DATA + " to a domain");
                }
                MemorySegment stage = in ? MemorySegment.ofArray(new byte[(int) value]) : MemorySegment.ofArray(data);
                int n = intf.control(requestType, a >>> 8 & 0xff, (int) (b & 0xffff), (int) (b >>> 16 & 0xffff), stage);
                if (in) {
                    out[0] = stage.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                }
                yield n;
            }
            case UsbOps.DESCRIPTORS -> {
                byte[] d = intf.descriptors();
                if (d.length > UsbOps.MAX_DATA) {
                    throw new HwException(HwException.EINVAL, intf.name() + ": descriptors of " + d.length + " bytes");
                }
                out[0] = d;
                yield d.length;
            }
            case UsbOps.STRING -> {
                out[0] = intf.string(a).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                yield out[0].length;
            }
            case UsbOps.CLAIM -> {
                UsbInterface claimed = intf.claim(a);
                long id = ids.incrementAndGet();
                bindings.put(id, new Bound(bound.module, claimed));
                bound.claimed.add(id);
                out[0] = new byte[] {(byte) claimed.interfaceClass(), (byte) claimed.interfaceSubClass(), (byte) claimed.interfaceProtocol()};
                yield id;
            }
            case UsbOps.ENDPOINT -> {
                UsbEndpoint ep = bound.endpoints.computeIfAbsent(a, intf::endpoint);
                yield (long) ep.type() << 16 | ep.maxPacketSize();
            }
            case UsbOps.SUBMIT -> {
                UsbEndpoint ep = bound.endpoints.computeIfAbsent(a, intf::endpoint);
                boolean in = (a & 0x80) != 0;
                if (b < 0 || b > UsbOps.MAX_DATA || !in && data.length != b) {
                    throw new HwException(HwException.EINVAL, intf.name() + ": a URB of " + b + " bytes (at most " + UsbOps.MAX_DATA + " to a domain)");
                }
                byte[] buffer = in ? new byte[(int) b] : data;
                long urbId = value;
                Urb urb = ep.submit(MemorySegment.ofArray(buffer), (int) b, (u, status, actual) -> {
                    bound.urbs.remove(urbId);
                    byte[] back = in && status == 0 ? java.util.Arrays.copyOf(buffer, actual) : new byte[0];
                    DomainChannel.sendQuietly(p, DomainProtocol.USB_CALL, new DomainProtocol.Writer().l(0).i(UsbOps.URB_DONE).name(bound.module)
                            .l(binding).l(urbId).i(status).i(actual).data(back, UsbOps.MAX_DATA).bytes());
                });
                bound.urbs.put(urbId, urb);
                yield 0;
            }
            case UsbOps.CANCEL -> {
                Urb urb = bound.urbs.get(value);
                yield urb != null && urb.cancel() ? 1 : 0;
            }
            case UsbOps.CLEAR_HALT -> {
                bound.endpoints.computeIfAbsent(a, intf::endpoint).clearHalt();
                yield 0;
            }
            default -> intf.present() ? 1 : 0;
        };
    }

    void died(String why) {
        serving = null;
        for (Long id : List.copyOf(pending.keySet())) {
            CompletableFuture<String> f = pending.remove(id);
            if (f != null) {
                f.completeExceptionally(new HwException(HwException.ENODEV, "domain " + domain.name() + " " + why));
            }
        }
        bindings.values().forEach(b -> b.gone = true);
        for (String module : List.copyOf(registered)) {
            registered.remove(module);
            try {
                if (domain.site(module).face(HwLayer.class) instanceof HwService.Registrations r) {
                    r.unregisterAll();
                }
            } catch (ControlChannelException | RuntimeException e) {
                domain.log().append(LogLevel.WARNING, "domain", domain.name() + ": " + module + ": unbinding its USB interfaces: " + e.getMessage());
            }
        }
        for (Long id : List.copyOf(bindings.keySet())) {
            release(id);
        }
    }

    void forget(String module) {
        registered.remove(module);
    }
}

package dev.jdm.host.domain;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.hw.HwBinding;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.Urb;
import dev.jdm.abi.hw.UsbEndpoint;
import dev.jdm.abi.hw.UsbInterface;
import dev.jdm.host.module.ModuleSite;
import dev.jdm.isolation.channel.ControlChannelException;
import dev.jdm.isolation.channel.Frame;
import dev.jdm.isolation.process.DomainProcess;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * USB drivers of a domain's modules, as {@link DomainHw} carries PCI ones: a proxy registered on the
 * module's host-side hw() binds interfaces by alias; the domain's probe and remove are USB_CALLs;
 * control transfers and URBs are USB_OPs the host performs on the interface it holds. A URB runs on
 * a buffer of the host's; its completion, with what an IN transfer brought, is a USB_CALL URB_DONE.
 */
final class DomainUsb {
    private final Domain domain;
    private final DomainDriverCalls calls;
    private final Map<Long, Bound> bindings = new ConcurrentHashMap<>();

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
        this.calls = new DomainDriverCalls(domain);
    }

    void newProcess(DomainProcess p) {
        calls.newProcess(p);
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
                calls.answered(id, errno, 0, message, "USB_RESULT");
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
        calls.register(p, id, site, "usb", hw -> hw.registerUsb(intf -> probe(site.name(), intf)));
    }

    private HwBinding probe(String module, UsbInterface intf) {
        long binding = calls.nextId();
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
                if (calls.serving() && !b.gone) {
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
        calls.call(DomainProtocol.USB_CALL, w -> extra.apply(w.i(op).name(module).l(binding)), DomainHw.CALL_TIMEOUT_MS, module + ": a USB call");
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
                long id = calls.nextId();
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

    /** The process died: waiting calls fail, its modules' interfaces are unbound, their URBs cancelled. */
    void died(String why) {
        bindings.values().forEach(b -> b.gone = true);
        calls.died(why);
        for (Long id : List.copyOf(bindings.keySet())) {
            release(id);
        }
    }

    void forget(String module) {
        calls.forget(module);
    }
}

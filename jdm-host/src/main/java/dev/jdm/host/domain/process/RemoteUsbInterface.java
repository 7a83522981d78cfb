package dev.jdm.host.domain.process;

import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.Urb;
import dev.jdm.abi.hw.UrbCallback;
import dev.jdm.abi.hw.UsbEndpoint;
import dev.jdm.abi.hw.UsbInterface;
import dev.jdm.host.domain.DomainProtocol;
import dev.jdm.host.domain.UsbOps;
import dev.jdm.isolation.channel.ControlChannelException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A USB interface bound to a driver in this domain: control transfers and URBs are USB_OPs the
 * host performs on the interface it holds. A URB's OUT data rides in its USB_OP; an IN URB's data
 * comes back with its completion and is copied into the driver's buffer before its callback runs.
 */
final class RemoteUsbInterface implements UsbInterface {
    private static final AtomicLong URB_IDS = new AtomicLong();

    private final HostLink host;
    private final DomainUsbCalls calls;
    private final String module;
    private final long binding;
    private final String name;
    private final String modalias;
    private final int number, interfaceClass, interfaceSubClass, interfaceProtocol, vendor, product;
    private final Map<Long, RemoteUrb> urbs = new ConcurrentHashMap<>();
    private final List<Long> claimed = new CopyOnWriteArrayList<>();

    RemoteUsbInterface(HostLink host, DomainUsbCalls calls, String module, long binding, String name, String modalias, int number,
            int interfaceClass, int interfaceSubClass, int interfaceProtocol, int vendor, int product) {
        this.host = host;
        this.calls = calls;
        this.module = module;
        this.binding = binding;
        this.name = name;
        this.modalias = modalias;
        this.number = number;
        this.interfaceClass = interfaceClass;
        this.interfaceSubClass = interfaceSubClass;
        this.interfaceProtocol = interfaceProtocol;
        this.vendor = vendor;
        this.product = product;
    }

    /** What USB_ANSWER carried. */
    private record Answer(long value, String message, byte[] data) {}

    private Answer op(int op, int a, long b, long value, byte[] data) {
        try {
            DomainProtocol.Reader in = host.ask(DomainProtocol.USB_OP, w -> w.name(module).l(binding).i(op).i(a).l(b).l(value).data(data, UsbOps.MAX_DATA));
            int errno = in.i("errno", 0, 4095);
            long v = in.l("value");
            String message = in.message("message");
            byte[] d = in.data("data", UsbOps.MAX_DATA);
            in.end();
            if (errno != 0) {
                throw new HwException(errno, message.isEmpty() ? name + ": errno " + errno : message);
            }
            return new Answer(v, message, d);
        } catch (ControlChannelException e) {
            throw new HwException(HwException.EIO, name + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HwException(HwException.EIO, name + ": interrupted");
        }
    }

    List<Long> claimedBindings() {
        return List.copyOf(claimed);
    }

    /** One completion the host reported, waiting for its callback to run. */
    private record Done(long urb, int status, int actual, byte[] data) {}

    private final java.util.ArrayDeque<Done> done = new java.util.ArrayDeque<>();
    private boolean draining;

    /**
     * A URB of this interface completed on the host (called on the reader). Callbacks run in the
     * order the host completed the URBs, one at a time, on a thread of their own: a driver that
     * queues several reads relies on their order, and a callback may submit again, which needs the
     * reader free.
     */
    void completed(long urb, int status, int actual, byte[] data) {
        synchronized (done) {
            done.add(new Done(urb, status, actual, data));
            if (draining) {
                return;
            }
            draining = true;
        }
        Thread.ofVirtual().name("urb-" + name).start(this::drain);
    }

    private void drain() {
        while (true) {
            Done d;
            synchronized (done) {
                d = done.poll();
                if (d == null) {
                    draining = false;
                    return;
                }
            }
            RemoteUrb u = urbs.remove(d.urb());
            if (u == null) {
                continue;
            }
            if (d.data().length > 0) {
                MemorySegment.copy(MemorySegment.ofArray(d.data()), 0, u.buffer, 0, Math.min(d.data().length, u.buffer.byteSize()));
            }
            try {
                u.callback.complete(u, d.status(), d.actual());
            } catch (RuntimeException e) {
                // the driver's bug: the next completions still run
            }
        }
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
            return op(UsbOps.PRESENT, 0, 0, 0, new byte[0]).value() == 1;
        } catch (HwException e) {
            return false;
        }
    }

    @Override
    public int number() {
        return number;
    }

    @Override
    public int interfaceClass() {
        return interfaceClass;
    }

    @Override
    public int interfaceSubClass() {
        return interfaceSubClass;
    }

    @Override
    public int interfaceProtocol() {
        return interfaceProtocol;
    }

    @Override
    public int vendor() {
        return vendor;
    }

    @Override
    public int product() {
        return product;
    }

    @Override
    public byte[] descriptors() {
        return op(UsbOps.DESCRIPTORS, 0, 0, 0, new byte[0]).data();
    }

    @Override
    public String string(int index) {
        return new String(op(UsbOps.STRING, index, 0, 0, new byte[0]).data(), StandardCharsets.UTF_8);
    }

    @Override
    public int control(int requestType, int request, int value, int index, MemorySegment data) {
        boolean in = (requestType & 0x80) != 0;
        if (data.byteSize() > UsbOps.MAX_DATA) {
            throw new HwException(HwException.EINVAL, name + ": a control stage of " + data.byteSize() + " bytes, at most " + UsbOps.MAX_DATA + " from a domain");
        }
        Answer r = op(UsbOps.CONTROL, (requestType & 0xff) | (request & 0xff) << 8, (value & 0xffffL) | (index & 0xffffL) << 16,
                in ? data.byteSize() : 0, in ? new byte[0] : data.toArray(ValueLayout.JAVA_BYTE));
        if (in) {
            MemorySegment.copy(MemorySegment.ofArray(r.data()), 0, data, 0, r.data().length);
        }
        return (int) r.value();
    }

    @Override
    public UsbInterface claim(int n) {
        Answer r = op(UsbOps.CLAIM, n, 0, 0, new byte[0]);
        byte[] ids = r.data();
        RemoteUsbInterface other = new RemoteUsbInterface(host, calls, module, r.value(), name.substring(0, name.lastIndexOf('.') + 1) + n, modalias, n,
                ids[0] & 0xff, ids[1] & 0xff, ids[2] & 0xff, vendor, product);
        claimed.add(r.value());
        calls.claimed(r.value(), other);
        return other;
    }

    @Override
    public UsbEndpoint endpoint(int address) {
        long info = op(UsbOps.ENDPOINT, address, 0, 0, new byte[0]).value();
        int type = (int) (info >>> 16);
        int maxPacket = (int) (info & 0xffff);
        return new UsbEndpoint() {
            @Override
            public int address() {
                return address;
            }

            @Override
            public int type() {
                return type;
            }

            @Override
            public int maxPacketSize() {
                return maxPacket;
            }

            @Override
            public Urb submit(MemorySegment buffer, int length, UrbCallback done) {
                if (length < 0 || length > buffer.byteSize() || length > UsbOps.MAX_DATA) {
                    throw new HwException(HwException.EINVAL, name + ": a URB of " + length + " bytes on a buffer of " + buffer.byteSize()
                            + " (at most " + UsbOps.MAX_DATA + " from a domain)");
                }
                boolean in = (address & 0x80) != 0;
                long id = URB_IDS.incrementAndGet();
                RemoteUrb u = new RemoteUrb(this, id, buffer, done);
                urbs.put(id, u); // before the submit: its completion may come at once
                try {
                    op(UsbOps.SUBMIT, address, length, id, in ? new byte[0] : buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
                } catch (RuntimeException e) {
                    urbs.remove(id);
                    throw e;
                }
                return u;
            }

            @Override
            public void clearHalt() {
                op(UsbOps.CLEAR_HALT, address, 0, 0, new byte[0]);
            }
        };
    }

    /** A URB submitted through the host. */
    private final class RemoteUrb implements Urb {
        private final UsbEndpoint endpoint;
        private final long id;
        final MemorySegment buffer;
        final UrbCallback callback;

        RemoteUrb(UsbEndpoint endpoint, long id, MemorySegment buffer, UrbCallback callback) {
            this.endpoint = endpoint;
            this.id = id;
            this.buffer = buffer;
            this.callback = callback;
        }

        @Override
        public UsbEndpoint endpoint() {
            return endpoint;
        }

        @Override
        public boolean cancel() {
            if (!urbs.containsKey(id)) {
                return false;
            }
            try {
                return op(UsbOps.CANCEL, 0, 0, id, new byte[0]).value() == 1;
            } catch (HwException e) {
                return false;
            }
        }
    }
}

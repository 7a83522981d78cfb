package dev.jdm.host.domain.process;

import dev.jdm.abi.hw.HwBinding;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.UsbDriver;
import dev.jdm.host.domain.DomainProtocol;
import dev.jdm.host.domain.UsbOps;
import dev.jdm.isolation.channel.ControlChannelException;
import dev.jdm.isolation.channel.Frame;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host's calls into this domain's USB drivers (USB_CALL): probe an interface, remove it, and a
 * URB's completion, each on a thread of its own so that the driver may reach the host meanwhile.
 */
final class DomainUsbCalls {
    private final HostLink host;
    private final Map<String, UsbDriver> drivers = new ConcurrentHashMap<>();
    private final Map<Long, RemoteUsbInterface> interfaces = new ConcurrentHashMap<>();
    private final Map<Long, HwBinding> bound = new ConcurrentHashMap<>();

    DomainUsbCalls(HostLink host) {
        this.host = host;
    }

    boolean driver(String module, UsbDriver driver) {
        return drivers.putIfAbsent(module, driver) == null;
    }

    void forget(String module) {
        drivers.remove(module);
    }

    /** An interface the driver claimed: its URBs complete through this table too. */
    void claimed(long binding, RemoteUsbInterface intf) {
        interfaces.put(binding, intf);
    }

    void call(Frame f) throws ControlChannelException {
        DomainProtocol.Reader in = new DomainProtocol.Reader("USB_CALL", f.payload());
        long id = in.l("id");
        int op = in.i("op", UsbOps.PROBE, UsbOps.URB_DONE);
        String module = in.name("module");
        long binding = in.l("binding");
        if (op == UsbOps.URB_DONE) {
            long urb = in.l("urb");
            int status = in.i("status", -4095, 0);
            int actual = in.i("actual", 0, UsbOps.MAX_DATA);
            byte[] data = in.data("data", UsbOps.MAX_DATA);
            in.end();
            RemoteUsbInterface intf = interfaces.get(binding);
            if (intf != null) {
                intf.completed(urb, status, actual, data);
            }
            return;
        }
        String name = op == UsbOps.PROBE ? in.message("interface") : "";
        String modalias = op == UsbOps.PROBE ? in.message("modalias") : "";
        int[] ids = new int[6];
        if (op == UsbOps.PROBE) {
            String[] fields = {"number", "class", "subclass", "protocol", "vendor", "product"};
            for (int i = 0; i < ids.length; i++) {
                ids[i] = in.i(fields[i], 0, 0xffff);
            }
        }
        in.end();
        Thread.ofVirtual().name("usb-" + module + "-" + binding).start(() -> {
            int errno = 0;
            String message = "";
            try {
                if (op == UsbOps.PROBE) {
                    probe(module, binding, name, modalias, ids);
                } else {
                    remove(binding);
                }
            } catch (HwException e) {
                errno = e.errno();
                message = e.getMessage();
            } catch (RuntimeException | Error e) {
                errno = HwException.EIO;
                message = module + ": " + e;
            }
            host.send(DomainProtocol.USB_RESULT, new DomainProtocol.Writer().l(id).i(errno).message(message).bytes());
        });
    }

    private void probe(String module, long binding, String name, String modalias, int[] ids) {
        UsbDriver driver = drivers.get(module);
        if (driver == null) {
            throw new HwException(HwException.ENODEV, module + " has no USB driver in this domain");
        }
        RemoteUsbInterface intf = new RemoteUsbInterface(host, this, module, binding, name, modalias, ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]);
        interfaces.put(binding, intf);
        try {
            HwBinding b = driver.probe(intf);
            if (b == null) {
                throw new HwException(HwException.EINVAL, "probe returned no binding");
            }
            bound.put(binding, b);
        } catch (RuntimeException e) {
            interfaces.remove(binding);
            throw e;
        }
    }

    private void remove(long binding) {
        HwBinding b = bound.remove(binding);
        try {
            if (b != null) {
                b.remove();
            }
        } finally {
            RemoteUsbInterface intf = interfaces.remove(binding);
            if (intf != null) {
                intf.claimedBindings().forEach(interfaces::remove);
            }
        }
    }
}

package dev.jdm.host.domain.process;

import dev.jdm.abi.hw.HwBinding;
import dev.jdm.abi.hw.HwDriver;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.IrqResult;
import dev.jdm.host.domain.DomainProtocol;
import dev.jdm.host.domain.HwOps;
import dev.jdm.isolation.channel.ControlChannelException;
import dev.jdm.isolation.channel.Frame;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host's calls into this domain's hardware drivers (HW_CALL): probe a device, remove it, run an
 * interrupt handler. Each runs on a thread of its own, since a driver's probe or handler reaches
 * its device through the host (HW_OP), whose answers this process's reader must be free to take.
 */
final class DomainHwCalls {
    private final HostLink host;
    private final Map<String, HwDriver> drivers = new ConcurrentHashMap<>();
    private final Map<Long, RemoteHwDevice> devices = new ConcurrentHashMap<>();
    private final Map<Long, HwBinding> bound = new ConcurrentHashMap<>();

    DomainHwCalls(HostLink host) {
        this.host = host;
    }

    /** Records {@code module}'s driver; false if it has one. */
    boolean driver(String module, HwDriver driver) {
        return drivers.putIfAbsent(module, driver) == null;
    }

    void forget(String module) {
        drivers.remove(module);
    }

    void call(Frame f) throws ControlChannelException {
        DomainProtocol.Reader in = new DomainProtocol.Reader("HW_CALL", f.payload());
        long id = in.l("id");
        int op = in.i("op", HwOps.PROBE, HwOps.IRQ);
        String module = in.name("module");
        long binding = in.l("binding");
        int vector = in.i("vector");
        String name = op == HwOps.PROBE ? in.message("device") : "";
        String modalias = op == HwOps.PROBE ? in.message("modalias") : "";
        int msix = op == HwOps.PROBE ? in.i("msix vectors", 0, 2048) : 0;
        String bus = op == HwOps.PROBE ? in.name("bus") : "";
        in.end();
        Thread.ofVirtual().name("hw-" + module + "-" + binding).start(() -> {
            int errno = 0;
            long value = 0;
            String message = "";
            try {
                value = switch (op) {
                    case HwOps.PROBE -> probe(module, binding, name, modalias, msix, bus);
                    case HwOps.REMOVE -> remove(binding);
                    default -> interrupt(binding, vector);
                };
            } catch (HwException e) {
                errno = e.errno();
                message = e.getMessage();
            } catch (RuntimeException | Error e) {
                errno = HwException.EIO;
                message = module + ": " + e;
            }
            host.send(DomainProtocol.HW_RESULT, new DomainProtocol.Writer().l(id).i(errno).l(value).message(message).bytes());
        });
    }

    private long probe(String module, long binding, String name, String modalias, int msix, String bus) {
        HwDriver driver = drivers.get(module);
        if (driver == null) {
            throw new HwException(HwException.ENODEV, module + " has no hardware driver in this domain");
        }
        RemoteHwDevice dev = new RemoteHwDevice(host, module, binding, bus, name, modalias, msix);
        devices.put(binding, dev); // before the probe: its interrupts come while it runs (an LU's first reads)
        HwBinding b;
        try {
            b = driver.probe(dev);
            if (b == null) {
                throw new HwException(HwException.EINVAL, "probe returned no binding");
            }
        } catch (RuntimeException e) {
            devices.remove(binding);
            dev.release();
            throw e;
        }
        bound.put(binding, b);
        return 0;
    }

    private long remove(long binding) {
        HwBinding b = bound.remove(binding);
        RemoteHwDevice dev = devices.remove(binding);
        try {
            if (b != null) {
                b.remove();
            }
        } finally {
            if (dev != null) {
                dev.release();
            }
        }
        return 0;
    }

    /** Runs the handler; the answer is the time it started (System.nanoTime, CLOCK_MONOTONIC as the host's) shifted by one, and whether it handled it. */
    private long interrupt(long binding, int vector) {
        long started = System.nanoTime();
        RemoteHwDevice dev = devices.get(binding);
        return started << 1 | (dev != null && dev.interrupt(vector) == IrqResult.HANDLED ? 1 : 0);
    }
}

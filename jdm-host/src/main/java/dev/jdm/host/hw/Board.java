package dev.jdm.host.hw;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.hw.HwBinding;
import dev.jdm.abi.hw.HwException;
import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import dev.jdm.host.log.LogRing;
import dev.jdm.hw.emu.EmulatedDevice;
import dev.jdm.hw.emu.PciIdentity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The emulated board and the I/O server in front of it: the devices plugged into it, the drivers
 * modules registered, and the binding of one to the other by modalias. A device no registered
 * driver matches is handed to modprobe, as udev does with a uevent's MODALIAS. Probe and remove
 * run outside the board's lock (they call into modules), under the device's own lock.
 */
public final class Board implements AutoCloseable {
    /** PCI domain of the emulated board, apart from the machine's real domain 0000. */
    private static final String DOMAIN = "0001";
    private static final int SLOTS = 32;

    private final LogRing log;
    private final GrantCheck grants;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final List<DriverRegistration> drivers = new ArrayList<>();
    private volatile Consumer<String> modprobe = alias -> {};
    private final UsbBus usb;

    /**
     * One device as {@code jdm hw board} lists it: for a USB device, its idVendor/idProduct, its first
     * interface's class and modalias, and every module bound to one of its interfaces.
     */
    public record DeviceInfo(String name, String kind, int vendor, int device, int classCode, String modalias, String driver, String backing,
            String faults) {}

    /** A board whose grants are asked of {@code grants} (the security stack's resource_grant). */
    public Board(LogRing log, GrantCheck grants) {
        this.log = log;
        this.grants = grants;
        this.usb = new UsbBus(log, grants, alias -> modprobe.accept(alias));
    }

    /** A board that grants without asking (tests). */
    public Board(LogRing log) {
        this(log, GrantCheck.ALLOW);
    }

    /** What to do with the modalias of a device that no loaded driver matches. */
    public void onUnclaimed(Consumer<String> modprobe) {
        this.modprobe = modprobe;
    }

    /**
     * Plugs {@code device} into the first free slot, binds it to a matching driver or asks
     * modprobe for one, and returns its name ({@code 0001:00:NN.0}).
     *
     * @throws HostException ENOSPC if the board's 32 slots are taken
     */
    public String plug(EmulatedDevice device) {
        return plug(new EmulatedDevices.Made(device, device.getClass().getSimpleName(), "", () -> {}));
    }

    /** Plugs a device {@link EmulatedDevices} made; its resources are closed when it is unplugged. */
    public String plug(EmulatedDevices.Made made) {
        if (made.usb() != null) {
            return usb.plug(made);
        }
        EmulatedDevice device = made.device();
        Slot slot;
        synchronized (this) {
            String name = null;
            for (int n = device.platformName() != null ? 0 : 1; n < SLOTS && name == null; n++) {
                // a platform device is named as Linux names it, NAME.N; a PCI function by its address
                String candidate = device.platformName() != null ? device.platformName() + "." + n : String.format("%s:00:%02x.0", DOMAIN, n);
                if (!slots.containsKey(candidate)) {
                    name = candidate;
                }
            }
            if (name == null) {
                throw new HostException(Errno.ENOSPC, "the emulated board's " + (SLOTS - 1) + " slots are all taken");
            }
            slot = new Slot(name, made);
            slots.put(name, slot);
        }
        try {
            device.plug(slot);
        } catch (RuntimeException e) {
            synchronized (this) {
                slots.remove(slot.name);
            }
            throw new HostException(Errno.EINVAL, slot.name + ": the device cannot be plugged: " + e.getMessage());
        }
        PciIdentity id = device.identity();
        log.append(LogLevel.INFO, "hw", slot.platform() ? slot.name + ": plugged on the platform bus, " + slot.modalias
                : String.format("%s: [%04x:%04x] plugged, %s", slot.name, id.vendor(), id.device(), slot.modalias));
        if (!bindToRegistered(slot)) {
            modprobe.accept(slot.modalias);
        }
        return slot.name;
    }

    /**
     * Removes device {@code name} as a surprise removal does: the device stops first, then its
     * driver's remove() fails what was in flight, then the grants are revoked.
     *
     * @throws HostException ENODEV if there is no such device
     */
    public void unplug(String name) {
        if (name.startsWith("usb1-")) {
            usb.unplug(name);
            return;
        }
        Slot slot;
        synchronized (this) {
            slot = slots.remove(name);
        }
        if (slot == null) {
            throw new HostException(Errno.ENODEV, "no device " + name + " on the emulated board");
        }
        slot.gone();
        slot.device.unplug();
        unbind(slot);
        try {
            slot.made.resources().close();
        } catch (Exception e) {
            log.append(LogLevel.WARNING, "hw", name + ": closing " + slot.made.backing() + ": " + e.getMessage());
        }
        log.append(LogLevel.INFO, "hw", name + ": removed");
    }

    /** The device in slot {@code name}. */
    public synchronized Optional<EmulatedDevice> device(String name) {
        return Optional.ofNullable(slots.get(name)).map(s -> s.device);
    }

    /** The plugged devices, in slot order. */
    public synchronized List<DeviceInfo> list() {
        List<DeviceInfo> all = new ArrayList<>();
        for (Slot s : slots.values()) {
            PciIdentity id = s.device.identity();
            all.add(new DeviceInfo(s.name, s.made.kind(), id.vendor(), id.device(), id.classCode(), s.modalias, s.bound != null ? s.driver.module() : "",
                    s.made.backing(), FaultSettings.describe(s.device.faults())));
        }
        for (UsbSlot u : usb.list()) {
            UsbDescriptors.Interface first = u.interfaces().isEmpty() ? null : u.interfaces().getFirst();
            all.add(new DeviceInfo(u.name, u.made.kind(), u.descriptor.vendor(), u.descriptor.product(),
                    first == null ? 0 : first.interfaceClass() << 16 | first.interfaceSubClass() << 8 | first.interfaceProtocol(),
                    first == null ? "" : u.modalias(first), String.join(",", usb.drivers(u)), u.made.backing(),
                    FaultSettings.describe(u.device.faults())));
        }
        return all;
    }

    /** The USB bus, for the hardware layer's registerUsb. */
    UsbBus usb() {
        return usb;
    }

    /**
     * Sets fault switches of device {@code name}: all or none.
     *
     * @throws HostException ENODEV if there is no such device; HwException EINVAL for a bad switch
     */
    public void fault(String name, Map<String, String> settings) {
        dev.jdm.hw.emu.Faults f = device(name).map(EmulatedDevice::faults).or(() -> usb.slot(name).map(u -> u.device.faults()))
                .orElseThrow(() -> new HostException(Errno.ENODEV, "no device " + name + " on the emulated board"));
        FaultSettings.apply(f, settings);
        log.append(LogLevel.NOTICE, "hw", name + ": faults " + (FaultSettings.describe(f).isEmpty() ? "off" : FaultSettings.describe(f)));
    }

    /** Interrupt delivery of one device: how many raises were sampled, and the median and 99th percentile delay from the device's raise to its handler's start. */
    public record IrqLatency(int samples, long medianNanos, long p99Nanos) {}

    /** The interrupt delivery latency of device {@code name}'s requested vectors (the last 4096 raises of each), if any were sampled. */
    public Optional<IrqLatency> interruptLatency(String name) {
        Slot s;
        synchronized (this) {
            s = slots.get(name);
        }
        if (s == null) {
            return Optional.empty();
        }
        long[] l = s.interruptLatencies();
        if (l.length == 0) {
            return Optional.empty();
        }
        java.util.Arrays.sort(l);
        return Optional.of(new IrqLatency(l.length, l[l.length / 2], l[Math.min(l.length - 1, (int) Math.ceil(l.length * 0.99) - 1)]));
    }

    /** Registers a module's driver and probes every unbound device it matches. */
    void register(DriverRegistration driver) {
        List<Slot> candidates;
        synchronized (this) {
            drivers.add(driver);
            candidates = List.copyOf(slots.values());
        }
        for (Slot s : candidates) {
            if (claim(s, driver)) {
                probe(s, driver);
            }
        }
    }

    /** Unregisters it: each of its bindings is removed; a device it held may bind to another driver. */
    void unregister(DriverRegistration driver) {
        List<Slot> held;
        synchronized (this) {
            if (!drivers.remove(driver)) {
                return;
            }
            held = slots.values().stream().filter(s -> s.driver == driver).toList();
        }
        for (Slot s : held) {
            unbind(s);
            bindToRegistered(s);
        }
    }

    private boolean bindToRegistered(Slot slot) {
        List<DriverRegistration> candidates;
        synchronized (this) {
            candidates = List.copyOf(drivers);
        }
        for (DriverRegistration d : candidates) {
            if (claim(slot, d)) {
                return probe(slot, d);
            }
        }
        return false;
    }

    private synchronized boolean claim(Slot slot, DriverRegistration driver) {
        if (slot.driver != null || !slot.present() || !drivers.contains(driver) || !driver.matches(slot.modalias)) {
            return false;
        }
        slot.driver = driver;
        return true;
    }

    private boolean probe(Slot slot, DriverRegistration driver) {
        slot.lock.lock();
        try {
            BoundDevice device = new BoundDevice(slot, driver, grants);
            HwBinding binding;
            try {
                if (!slot.present()) {
                    throw new HwException(HwException.ENODEV, "removed before its probe");
                }
                device.grant(slot.platform() ? "platform" : "pci", slot.name, 0, 0);
                binding = driver.driver().probe(device);
                if (binding == null) {
                    throw new HwException(HwException.EINVAL, "probe returned no binding");
                }
            } catch (RuntimeException e) {
                device.revoke();
                synchronized (this) {
                    slot.driver = null;
                }
                int errno = e instanceof HwException h ? h.errno() : HwException.EIO;
                driver.log(LogLevel.WARNING, slot.name + ": probe failed (errno " + errno + "): " + e.getMessage());
                return false;
            }
            device.bind(binding);
            synchronized (this) {
                slot.bound = device;
            }
            driver.log(LogLevel.INFO, slot.name + ": bound (" + slot.modalias + ")");
            return true;
        } finally {
            slot.lock.unlock();
        }
    }

    private void unbind(Slot slot) {
        slot.lock.lock();
        try {
            BoundDevice device;
            DriverRegistration driver;
            synchronized (this) {
                device = slot.bound;
                driver = slot.driver;
            }
            if (device == null) {
                return;
            }
            try {
                device.binding().remove();
            } catch (RuntimeException e) {
                driver.log(LogLevel.ERR, slot.name + ": remove() threw " + e);
            }
            int left = device.revoke();
            if (left > 0) {
                driver.log(LogLevel.WARNING, slot.name + ": the driver left " + left + " DMA buffer(s) mapped; freed");
            }
            synchronized (this) {
                slot.bound = null;
                slot.driver = null;
            }
            driver.log(LogLevel.INFO, slot.name + ": unbound");
        } finally {
            slot.lock.unlock();
        }
    }

    /** Removes every device. */
    @Override
    public void close() {
        List<String> names;
        synchronized (this) {
            names = List.copyOf(slots.keySet());
        }
        names.forEach(this::unplug);
        usb.close();
    }
}

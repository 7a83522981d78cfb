package dev.jdm.host.hw;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.hw.HwBinding;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.UsbInterface;
import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import dev.jdm.host.log.LogRing;
import dev.jdm.hw.emu.usb.UsbTransferException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The emulated USB bus (bus 1, one root hub with 15 ports) and its side of the I/O server: devices
 * are enumerated and configured by the host, then each interface is bound to a USB driver whose
 * aliases match it, or its modalias is handed to modprobe. The host controller is emulated simply:
 * the bus calls the device's transaction-level interface directly.
 */
final class UsbBus {
    private static final int PORTS = 15;
    private final LogRing log;
    private final GrantCheck grants;
    private final Map<String, UsbSlot> slots = new LinkedHashMap<>();
    private final List<UsbRegistration> drivers = new ArrayList<>();
    private final Consumer<String> modprobe;

    UsbBus(LogRing log, GrantCheck grants, Consumer<String> modprobe) {
        this.log = log;
        this.grants = grants;
        this.modprobe = modprobe;
    }

    /** Attaches, enumerates and configures the device, then binds its interfaces. */
    String plug(EmulatedDevices.Made made) {
        String name;
        synchronized (this) {
            int port = 1;
            while (port <= PORTS && slots.containsKey("usb1-" + port)) {
                port++;
            }
            if (port > PORTS) {
                throw new HostException(Errno.ENOSPC, "the emulated USB root hub's " + PORTS + " ports are all taken");
            }
            name = "usb1-" + port;
            slots.put(name, null); // reserved while it enumerates
        }
        UsbSlot slot;
        try {
            slot = new UsbSlot(name, made, Integer.parseInt(name.substring(5)) + 1);
        } catch (UsbTransferException | RuntimeException e) {
            synchronized (this) {
                slots.remove(name);
            }
            made.usb().detach();
            throw new HostException(Errno.EIO, name + ": enumeration failed: " + e.getMessage());
        }
        synchronized (this) {
            slots.put(name, slot);
        }
        UsbDescriptors.Device d = slot.descriptor;
        log.append(LogLevel.INFO, "usb", String.format("%s: new device [%04x:%04x] \"%s\", %d interface(s), configuration %d", name, d.vendor(),
                d.product(), slot.product, slot.interfaces().size(), slot.configuration.value()));
        Set<String> unclaimed = new LinkedHashSet<>();
        for (UsbDescriptors.Interface i : slot.interfaces()) {
            if (!bindToRegistered(slot, i)) {
                unclaimed.add(slot.modalias(i));
            }
        }
        for (String alias : unclaimed) {
            if (held(slot).size() < slot.interfaces().size()) {
                modprobe.accept(alias);
            }
        }
        return name;
    }

    private synchronized Set<Integer> held(UsbSlot slot) {
        return Set.copyOf(slot.holders.keySet());
    }

    /** Detaches the device (its pending transfers complete -ENODEV), then removes its bindings. */
    void unplug(String name) {
        UsbSlot slot;
        synchronized (this) {
            slot = slots.get(name);
            if (slot == null) {
                throw new HostException(Errno.ENODEV, "no device " + name + " on the emulated USB bus");
            }
            slots.remove(name);
        }
        slot.gone();
        slot.device.detach();
        for (BoundUsbInterface b : owners(slot)) {
            unbind(slot, b);
        }
        try {
            slot.made.resources().close();
        } catch (Exception e) {
            log.append(LogLevel.WARNING, "usb", name + ": closing " + slot.made.backing() + ": " + e.getMessage());
        }
        log.append(LogLevel.INFO, "usb", name + ": removed");
    }

    synchronized boolean has(String name) {
        return slots.get(name) != null;
    }

    synchronized Optional<UsbSlot> slot(String name) {
        return Optional.ofNullable(slots.get(name));
    }

    synchronized List<UsbSlot> list() {
        return slots.values().stream().filter(s -> s != null).toList();
    }

    /** The modules bound to {@code slot}'s interfaces, in interface order. */
    synchronized List<String> drivers(UsbSlot slot) {
        return slot.holders.values().stream().map(b -> b.driver().module()).distinct().toList();
    }

    void register(UsbRegistration driver) {
        List<UsbSlot> candidates;
        synchronized (this) {
            drivers.add(driver);
            candidates = list();
        }
        for (UsbSlot s : candidates) {
            for (UsbDescriptors.Interface i : s.interfaces()) {
                if (claim(s, i, driver)) {
                    probe(s, i, driver);
                }
            }
        }
    }

    void unregister(UsbRegistration driver) {
        List<UsbSlot> all;
        synchronized (this) {
            if (!drivers.remove(driver)) {
                return;
            }
            all = list();
        }
        for (UsbSlot s : all) {
            for (BoundUsbInterface b : owners(s)) {
                if (b.driver() == driver) {
                    unbind(s, b);
                }
            }
        }
    }

    void close() {
        List<String> names;
        synchronized (this) {
            names = list().stream().map(s -> s.name).toList();
        }
        names.forEach(this::unplug);
    }

    private synchronized List<BoundUsbInterface> owners(UsbSlot slot) {
        return slot.holders.values().stream().filter(b -> b.owner() == null).distinct().toList();
    }

    private boolean bindToRegistered(UsbSlot slot, UsbDescriptors.Interface i) {
        List<UsbRegistration> candidates;
        synchronized (this) {
            candidates = List.copyOf(drivers);
        }
        for (UsbRegistration d : candidates) {
            if (claim(slot, i, d)) {
                return probe(slot, i, d);
            }
        }
        synchronized (this) {
            return slot.holders.containsKey(i.number()); // claimed meanwhile by a driver of another interface
        }
    }

    /** Reserves interface {@code i} for {@code driver}: a placeholder binding until its probe ends. */
    private synchronized boolean claim(UsbSlot slot, UsbDescriptors.Interface i, UsbRegistration driver) {
        if (slot.holders.containsKey(i.number()) || !slot.present() || !drivers.contains(driver) || !driver.matches(slot.modalias(i))) {
            return false;
        }
        slot.holders.put(i.number(), new BoundUsbInterface(this, slot, i, driver, grants, null));
        return true;
    }

    private boolean probe(UsbSlot slot, UsbDescriptors.Interface i, UsbRegistration driver) {
        slot.lock.lock();
        try {
            BoundUsbInterface b;
            synchronized (this) {
                b = slot.holders.get(i.number());
            }
            HwBinding binding;
            try {
                if (!slot.present()) {
                    throw new HwException(HwException.ENODEV, "removed before its probe");
                }
                b.grant();
                binding = driver.driver().probe(b);
                if (binding == null) {
                    throw new HwException(HwException.EINVAL, "probe returned no binding");
                }
            } catch (RuntimeException e) {
                b.revoke();
                release(slot, b);
                int errno = e instanceof HwException h ? h.errno() : HwException.EIO;
                driver.log(LogLevel.WARNING, b.name() + ": probe failed (errno " + errno + "): " + e.getMessage());
                return false;
            }
            b.bind(binding);
            driver.log(LogLevel.INFO, b.name() + ": bound (" + b.modalias() + ")");
            return true;
        } finally {
            slot.lock.unlock();
        }
    }

    /** Claims interface {@code number} of {@code slot} for {@code owner}'s binding. */
    UsbInterface claim(BoundUsbInterface owner, UsbSlot slot, int number) {
        UsbDescriptors.Interface i = slot.intf(number);
        if (i == null) {
            throw new HwException(HwException.ENXIO, slot.name + " has no interface " + number);
        }
        BoundUsbInterface claimed;
        synchronized (this) {
            BoundUsbInterface holder = slot.holders.get(number);
            if (holder != null) {
                throw new HwException(HwException.EBUSY, slot.interfaceName(number) + " is held by " + holder.driver().module());
            }
            claimed = new BoundUsbInterface(this, slot, i, owner.driver(), grants, owner);
            slot.holders.put(number, claimed);
        }
        owner.addClaimed(claimed);
        return claimed;
    }

    private void unbind(UsbSlot slot, BoundUsbInterface b) {
        slot.lock.lock();
        try {
            if (b.binding() != null) {
                try {
                    b.binding().remove();
                } catch (RuntimeException e) {
                    b.driver().log(LogLevel.ERR, b.name() + ": remove() threw " + e);
                }
            }
            b.revoke();
            release(slot, b);
            b.driver().log(LogLevel.INFO, b.name() + ": unbound");
        } finally {
            slot.lock.unlock();
        }
    }

    private synchronized void release(UsbSlot slot, BoundUsbInterface b) {
        slot.holders.values().removeIf(h -> h == b || h.owner() == b);
    }
}

package dev.jdm.hw.lspci;

import dev.jdm.hw.ids.PciIds;
import dev.jdm.hw.pci.PciClass;
import java.util.Optional;

/**
 * How lspci words a class, a vendor and device, a subsystem or a programming interface, known or
 * not (libpci's name lookups): {@code Ethernet controller [0200]}, {@code Intel Corporation Device
 * [8086:0d57]}, {@code Device 1234:5678}. Each rule below is one lspci keeps, learnt from its output.
 */
final class Names {
    private final PciIds ids;
    private final IdMode mode;

    Names(PciIds ids, IdMode mode) {
        this.ids = ids;
        this.mode = mode;
    }

    /**
     * The subclass's name; failing that the base class's, which then always carries the full
     * number so the subclass is not lost ({@code Unassigned class [ffff]} even without -nn).
     */
    String pciClass(PciClass c) {
        String num = String.format("%04x", c.baseAndSub());
        Optional<String> sub = ids.subclass(c.base(), c.sub());
        Optional<String> base = ids.baseClass(c.base());
        if (sub.isPresent() || base.isEmpty() || mode == IdMode.NUMBERS) {
            return single(sub, num, "Class", mode);
        }
        return single(base, num, "Class", IdMode.BOTH);
    }

    String vendorDevice(int vendor, int device) {
        return pair(ids.vendor(vendor), ids.device(vendor, device), vendor, device);
    }

    /** A subsystem: its vendor's name and the subsystem's, numbered by the subsystem IDs. */
    String subsystem(int vendor, int device, int subVendor, int subDevice) {
        return pair(ids.vendor(subVendor), ids.subsystem(vendor, device, subVendor, subDevice), subVendor, subDevice);
    }

    /**
     * A programming interface's name, or empty: lspci shows it only by name. IDE controllers
     * (class 0101) without one get their interface bits spelt out, as libpci does.
     */
    Optional<String> progIf(PciClass c) {
        Optional<String> name = ids.progIf(c.base(), c.sub(), c.progIf());
        if (name.isEmpty() && c.baseAndSub() == 0x0101 && (c.progIf() & 0x70) == 0) {
            String bits = ((c.progIf() & 0x80) != 0 ? " Master" : "") + ((c.progIf() & 0x08) != 0 ? " SecP" : "")
                    + ((c.progIf() & 0x04) != 0 ? " SecO" : "") + ((c.progIf() & 0x02) != 0 ? " PriP" : "")
                    + ((c.progIf() & 0x01) != 0 ? " PriO" : "");
            return bits.isEmpty() ? Optional.of("") : Optional.of(bits.substring(1));
        }
        return name;
    }

    private static String single(Optional<String> name, String num, String unknown, IdMode mode) {
        return switch (mode) {
            case NUMBERS -> num;
            case BOTH -> name.orElse(unknown) + " [" + num + "]";
            case NAMES -> name.orElse(unknown + " " + num);
        };
    }

    /** A vendor and a device of it; an unknown vendor leaves out its name, not the device's word. */
    private String pair(Optional<String> v, Optional<String> d, int vendor, int device) {
        String num = String.format("%04x:%04x", vendor, device);
        if (mode == IdMode.NUMBERS) {
            return num;
        }
        if (v.isEmpty()) {
            return mode == IdMode.BOTH ? "Device [" + num + "]" : "Device " + num;
        }
        String known = v.get() + " " + d.orElse("Device");
        if (mode == IdMode.BOTH) {
            return known + " [" + num + "]";
        }
        // names alone: a known vendor's unknown device gives the device's number only
        return d.isPresent() ? known : known + String.format(" %04x", device);
    }
}

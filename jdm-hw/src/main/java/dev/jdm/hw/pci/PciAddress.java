package dev.jdm.hw.pci;

import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PCI function's address, domain:bus:device.function. It sorts as lspci sorts (domain, bus,
 * device, function) and prints as lspci prints: {@code 00:1f.2}, with the domain in front only when
 * asked, which lspci does for every device once any device has a domain other than 0000.
 */
public record PciAddress(int domain, int bus, int device, int function) implements Comparable<PciAddress> {
    private static final Pattern FORM = Pattern.compile("(?:([0-9a-fA-F]{4,8}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\\.([0-7])");
    private static final Comparator<PciAddress> ORDER = Comparator.comparingLong((PciAddress a) -> Integer.toUnsignedLong(a.domain))
            .thenComparingInt(PciAddress::bus).thenComparingInt(PciAddress::device).thenComparingInt(PciAddress::function);

    public PciAddress {
        if (bus < 0 || bus > 0xff || device < 0 || device > 0x1f || function < 0 || function > 7) {
            throw new IllegalArgumentException("not a PCI address: bus " + bus + ", device " + device + ", function " + function);
        }
    }

    /** {@code 0000:00:1f.2} (sysfs's names) or {@code 00:1f.2} (domain 0). */
    public static PciAddress parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a PCI address: '" + text + "' (expected [dddd:]bb:dd.f in hex, as 0000:00:1f.2)");
        }
        int domain = m.group(1) == null ? 0 : Integer.parseUnsignedInt(m.group(1), 16);
        int device = Integer.parseInt(m.group(3), 16);
        if (device > 0x1f) {
            throw new IllegalArgumentException("not a PCI address: '" + text + "' (device " + m.group(3) + " is above 1f)");
        }
        return new PciAddress(domain, Integer.parseInt(m.group(2), 16), device, Integer.parseInt(m.group(4)));
    }

    /** As lspci without {@code -D}: the domain only when {@code withDomain}. */
    public String format(boolean withDomain) {
        String slot = String.format("%02x:%02x.%d", bus, device, function);
        return withDomain ? String.format("%04x:", domain) + slot : slot;
    }

    /** The directory name under {@code /sys/bus/pci/devices}: always with the domain. */
    public String sysfsName() {
        return format(true);
    }

    @Override
    public int compareTo(PciAddress o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return format(domain != 0);
    }
}

package dev.jdm.symvers;

import java.lang.classfile.Annotation;
import java.lang.classfile.AnnotationElement;
import java.lang.classfile.AnnotationValue;

/**
 * Turns a driver's device ID table ({@code @PciId}) into module aliases in the format Linux's
 * file2alias writes for {@code pci_device_id}, so that depmod and modprobe match device modaliases
 * against them with the fnmatch rules they already use: each field fixed-width upper-case hex, or
 * {@code *} where the entry matches any value, and a trailing {@code *} (unless the last field
 * is one already) for fields added later.
 */
final class DeviceTableAliases {
    static final String PCI_ID = "Ldev/jdm/abi/hw/PciId;";
    static final String PCI_IDS = "Ldev/jdm/abi/hw/PciId$List;";
    static final String PLATFORM_ID = "Ldev/jdm/abi/hw/PlatformId;";
    static final String PLATFORM_IDS = "Ldev/jdm/abi/hw/PlatformId$List;";
    static final String USB_ID = "Ldev/jdm/abi/hw/UsbId;";
    static final String USB_IDS = "Ldev/jdm/abi/hw/UsbId$List;";
    private static final int ANY = -1;

    private DeviceTableAliases() {}

    /** The alias of one {@code @PciId} on {@code site}. */
    static String pci(Annotation id, String site) {
        if (value(id, "vendor") == null) {
            throw new SymversException(site + ": @PciId needs a vendor");
        }
        String alias = "pci:v" + field(id, "vendor", 8, 0xffff, site)
                + "d" + field(id, "device", 8, 0xffff, site)
                + "sv" + field(id, "subvendor", 8, 0xffff, site)
                + "sd" + field(id, "subdevice", 8, 0xffff, site)
                + "bc" + field(id, "baseClass", 2, 0xff, site)
                + "sc" + field(id, "subClass", 2, 0xff, site)
                + "i" + field(id, "progIf", 2, 0xff, site);
        return alias.endsWith("*") ? alias : alias + "*"; // file2alias's add_wildcard
    }

    /**
     * The alias of one {@code @UsbId}: {@code usb:v%04Xp%04Xd*dc%02Xdsc%02Xdp%02Xic%02Xisc%02Xip%02Xin*}.
     * The device release ({@code d}) and interface number ({@code in}) are not part of the table, so
     * they are always {@code *}, as file2alias writes an entry without them.
     */
    static String usb(Annotation id, String site) {
        return "usb:v" + field(id, "vendor", 4, 0xffff, site, "@UsbId")
                + "p" + field(id, "product", 4, 0xffff, site, "@UsbId")
                + "d*dc" + field(id, "deviceClass", 2, 0xff, site, "@UsbId")
                + "dsc" + field(id, "deviceSubClass", 2, 0xff, site, "@UsbId")
                + "dp" + field(id, "deviceProtocol", 2, 0xff, site, "@UsbId")
                + "ic" + field(id, "interfaceClass", 2, 0xff, site, "@UsbId")
                + "isc" + field(id, "interfaceSubClass", 2, 0xff, site, "@UsbId")
                + "ip" + field(id, "interfaceProtocol", 2, 0xff, site, "@UsbId") + "in*";
    }

    /** The alias of one {@code @PlatformId}: {@code platform:NAME}. */
    static String platform(Annotation id, String site) {
        String name = value(id, "value") instanceof AnnotationValue.OfString s ? s.stringValue() : "";
        if (!name.matches("[a-z0-9][a-z0-9_-]{0,31}")) {
            throw new SymversException(site + ": @PlatformId \"" + name + "\" is not 1-32 of [a-z0-9_-] starting with a letter or digit");
        }
        return "platform:" + name;
    }

    private static String field(Annotation id, String name, int width, int max, String site) {
        return field(id, name, width, max, site, "@PciId");
    }

    private static String field(Annotation id, String name, int width, int max, String site, String table) {
        int v = value(id, name) instanceof AnnotationValue.OfInt i ? i.intValue() : ANY;
        if (v == ANY) {
            return "*";
        }
        if (v < 0 || v > max) {
            throw new SymversException(site + ": " + table + " " + name + " = " + v + " is outside 0.." + Integer.toHexString(max) + " (hex)");
        }
        return String.format("%0" + width + "X", v);
    }

    private static AnnotationValue value(Annotation a, String name) {
        for (AnnotationElement e : a.elements()) {
            if (e.name().stringValue().equals(name)) {
                return e.value();
            }
        }
        return null;
    }
}

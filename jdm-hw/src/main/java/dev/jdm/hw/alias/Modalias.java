package dev.jdm.hw.alias;

import dev.jdm.hw.pci.PciDevice;

/**
 * Module alias strings in Linux's formats: what a device announces (its sysfs {@code modalias}, the
 * uevent's {@code MODALIAS=}) and what a driver's ID table becomes in {@code modules.alias}, so that
 * matching one against the other is kmod's fnmatch and nothing new.
 */
public final class Modalias {
    private Modalias() {
    }

    /**
     * {@code pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X}, as drivers/pci/pci-sysfs.c writes it. A
     * device with no subsystem IDs has zeros there, which is what the kernel reads from its header.
     */
    public static String pci(PciDevice d) {
        PciDevice.Subsystem sub = d.subsystem().orElse(new PciDevice.Subsystem(0, 0));
        return pci(d.vendor(), d.device(), sub.vendor(), sub.device(), d.pciClass().base() << 16 | d.pciClass().sub() << 8 | d.pciClass().progIf());
    }

    /** The same alias from the raw header fields, for a device that is not in sysfs (an emulated one). */
    public static String pci(int vendor, int device, int subVendor, int subDevice, int classCode) {
        return String.format("pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", vendor, device, subVendor, subDevice,
                classCode >>> 16 & 0xff, classCode >>> 8 & 0xff, classCode & 0xff);
    }

    /**
     * {@code usb:v%04Xp%04Xd%04Xdc%02Xdsc%02Xdp%02Xic%02Xisc%02Xip%02Xin%02X}: a USB interface's
     * alias, as drivers/usb/core/sysfs.c writes it. Only interfaces have one, since drivers bind to
     * interfaces; it carries the device descriptor's IDs and class with the interface's own.
     */
    public static String usb(UsbInterfaceIds id) {
        return String.format("usb:v%04Xp%04Xd%04Xdc%02Xdsc%02Xdp%02Xic%02Xisc%02Xip%02Xin%02X", id.idVendor(), id.idProduct(), id.bcdDevice(),
                id.deviceClass(), id.deviceSubClass(), id.deviceProtocol(), id.interfaceClass(), id.interfaceSubClass(),
                id.interfaceProtocol(), id.interfaceNumber());
    }
}

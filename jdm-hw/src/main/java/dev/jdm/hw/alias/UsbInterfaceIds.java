package dev.jdm.hw.alias;

/**
 * What a USB interface's alias is made of: the device descriptor's {@code idVendor},
 * {@code idProduct}, {@code bcdDevice} and {@code bDeviceClass/SubClass/Protocol}, and the current
 * alternate setting's {@code bInterfaceClass/SubClass/Protocol} and {@code bInterfaceNumber}
 * (USB 2.0, 9.6.1 and 9.6.5).
 */
public record UsbInterfaceIds(int idVendor, int idProduct, int bcdDevice, int deviceClass, int deviceSubClass, int deviceProtocol,
        int interfaceClass, int interfaceSubClass, int interfaceProtocol, int interfaceNumber) {
    public UsbInterfaceIds {
        check("idVendor", idVendor, 0xffff);
        check("idProduct", idProduct, 0xffff);
        check("bcdDevice", bcdDevice, 0xffff);
        check("bDeviceClass", deviceClass, 0xff);
        check("bDeviceSubClass", deviceSubClass, 0xff);
        check("bDeviceProtocol", deviceProtocol, 0xff);
        check("bInterfaceClass", interfaceClass, 0xff);
        check("bInterfaceSubClass", interfaceSubClass, 0xff);
        check("bInterfaceProtocol", interfaceProtocol, 0xff);
        check("bInterfaceNumber", interfaceNumber, 0xff);
    }

    private static void check(String field, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(field + " " + value + " is out of range 0.." + max);
        }
    }
}

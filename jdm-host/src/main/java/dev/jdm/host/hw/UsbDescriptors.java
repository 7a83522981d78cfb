package dev.jdm.host.hw;

import java.util.ArrayList;
import java.util.List;

/**
 * What the host reads from a device's descriptors to bind its interfaces (USB 2.0 §9.6): the device
 * descriptor's IDs and class, and each interface's (alternate setting 0) class and endpoints. A
 * descriptor set that does not parse is refused with the offset and what was wrong.
 */
final class UsbDescriptors {
    static final int DEVICE = 1, CONFIGURATION = 2, STRING = 3, INTERFACE = 4, ENDPOINT = 5;

    /** The device descriptor's fields the host uses. */
    record Device(int maxPacket0, int vendor, int product, int bcdDevice, int deviceClass, int deviceSubClass, int deviceProtocol,
            int manufacturer, int productString, int serial, int configurations) {}

    /** One endpoint: its address (bit 7: IN), transfer type (bmAttributes bits 1..0) and wMaxPacketSize. */
    record Endpoint(int address, int type, int maxPacket) {}

    /** One interface's alternate setting 0. */
    record Interface(int number, int interfaceClass, int interfaceSubClass, int interfaceProtocol, List<Endpoint> endpoints) {}

    /** A configuration: its value for SET_CONFIGURATION and its interfaces. */
    record Configuration(int value, List<Interface> interfaces, byte[] raw) {}

    private UsbDescriptors() {}

    static Device device(byte[] d) {
        if (d.length < 18 || (d[0] & 0xff) < 18 || d[1] != DEVICE) {
            throw new IllegalArgumentException("a device descriptor is 18 bytes of type 1; the device returned " + d.length + " bytes"
                    + (d.length > 1 ? " of type " + d[1] : ""));
        }
        return new Device(u8(d, 7), u16(d, 8), u16(d, 10), u16(d, 12), u8(d, 4), u8(d, 5), u8(d, 6), u8(d, 14), u8(d, 15), u8(d, 16), u8(d, 17));
    }

    /** wTotalLength of a configuration descriptor's first 9 bytes. */
    static int totalLength(byte[] head) {
        if (head.length < 9 || head[1] != CONFIGURATION) {
            throw new IllegalArgumentException("a configuration descriptor starts with 9 bytes of type 2; the device returned " + head.length + " bytes");
        }
        return u16(head, 2);
    }

    static Configuration configuration(byte[] c) {
        if (c.length < 9 || c[1] != CONFIGURATION || u16(c, 2) != c.length) {
            throw new IllegalArgumentException("the configuration descriptor set is " + c.length + " bytes, not the wTotalLength it announces");
        }
        List<Interface> interfaces = new ArrayList<>();
        List<Endpoint> endpoints = null;
        int[] current = null;
        for (int at = 0; at < c.length;) {
            int len = u8(c, at);
            if (len < 2 || at + len > c.length) {
                throw new IllegalArgumentException("descriptor at offset " + at + " has length " + len + ", past the set's " + c.length + " bytes");
            }
            int type = u8(c, at + 1);
            if (type == INTERFACE) {
                if (len < 9) {
                    throw new IllegalArgumentException("interface descriptor at offset " + at + " is " + len + " bytes, not 9");
                }
                if (current != null) {
                    interfaces.add(new Interface(current[0], current[1], current[2], current[3], List.copyOf(endpoints)));
                    current = null;
                }
                if (u8(c, at + 3) == 0) { // alternate setting 0: what is active after SET_CONFIGURATION
                    current = new int[] {u8(c, at + 2), u8(c, at + 5), u8(c, at + 6), u8(c, at + 7)};
                    endpoints = new ArrayList<>();
                }
            } else if (type == ENDPOINT && current != null) {
                if (len < 7) {
                    throw new IllegalArgumentException("endpoint descriptor at offset " + at + " is " + len + " bytes, not 7");
                }
                endpoints.add(new Endpoint(u8(c, at + 2), u8(c, at + 3) & 3, u16(c, at + 4) & 0x7ff));
            }
            at += len;
        }
        if (current != null) {
            interfaces.add(new Interface(current[0], current[1], current[2], current[3], List.copyOf(endpoints)));
        }
        return new Configuration(u8(c, 5), List.copyOf(interfaces), c.clone());
    }

    /** A string descriptor's UTF-16LE text. */
    static String string(byte[] s) {
        if (s.length < 2 || s[1] != STRING) {
            return "";
        }
        int n = Math.min(u8(s, 0), s.length);
        return new String(s, 2, Math.max(0, n - 2) & ~1, java.nio.charset.StandardCharsets.UTF_16LE);
    }

    static int u8(byte[] b, int at) {
        return b[at] & 0xff;
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }
}

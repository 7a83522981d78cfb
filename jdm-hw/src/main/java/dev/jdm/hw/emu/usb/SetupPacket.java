package dev.jdm.hw.emu.usb;

import java.util.Objects;

/**
 * The eight bytes of a SETUP packet (USB 2.0 §9.3, Table 9-2), fields little-endian on the wire.
 * Each field holds its unsigned value: bytes 0–255, words 0–65535.
 */
public record SetupPacket(int bmRequestType, int bRequest, int wValue, int wIndex, int wLength) {
    /** bmRequestType bit 7: the data stage goes device to host. */
    public static final int DIR_IN = 0x80;

    /** bmRequestType bits 6..5. */
    public enum Type {
        STANDARD, CLASS, VENDOR, RESERVED
    }

    /** bmRequestType bits 4..0; values 4–31 are reserved. */
    public enum Recipient {
        DEVICE, INTERFACE, ENDPOINT, OTHER, RESERVED
    }

    public SetupPacket {
        checkRange("bmRequestType", bmRequestType, 0xff);
        checkRange("bRequest", bRequest, 0xff);
        checkRange("wValue", wValue, 0xffff);
        checkRange("wIndex", wIndex, 0xffff);
        checkRange("wLength", wLength, 0xffff);
    }

    /** Reads the eight bytes of a SETUP packet. */
    public static SetupPacket parse(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != 8) {
            throw new IllegalArgumentException("a SETUP packet has 8 bytes, not " + bytes.length);
        }
        return new SetupPacket(bytes[0] & 0xff, bytes[1] & 0xff, le16(bytes, 2), le16(bytes, 4), le16(bytes, 6));
    }

    /** The eight bytes as they go on the wire. */
    public byte[] bytes() {
        return new byte[] {
            (byte) bmRequestType, (byte) bRequest,
            (byte) wValue, (byte) (wValue >> 8),
            (byte) wIndex, (byte) (wIndex >> 8),
            (byte) wLength, (byte) (wLength >> 8),
        };
    }

    /** Whether the data stage, if any, goes from the device to the host. */
    public boolean isIn() {
        return (bmRequestType & DIR_IN) != 0;
    }

    public Type type() {
        return Type.values()[(bmRequestType >> 5) & 3];
    }

    public Recipient recipient() {
        int r = bmRequestType & 0x1f;
        return r < 4 ? Recipient.values()[r] : Recipient.RESERVED;
    }

    /** The high byte of wValue: the descriptor type of GET_DESCRIPTOR. */
    public int valueHigh() {
        return wValue >> 8;
    }

    /** The low byte of wValue: a descriptor index, a configuration value, an address. */
    public int valueLow() {
        return wValue & 0xff;
    }

    @Override
    public String toString() {
        return String.format("SETUP[%02x %02x wValue=%04x wIndex=%04x wLength=%d]", bmRequestType, bRequest, wValue, wIndex, wLength);
    }

    private static int le16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    private static void checkRange(String field, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(field + " must be 0.." + max + ", not " + value);
        }
    }
}

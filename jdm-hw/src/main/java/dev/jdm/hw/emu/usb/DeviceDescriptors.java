package dev.jdm.hw.emu.usb;

import java.util.List;
import java.util.Objects;

/**
 * Everything GET_DESCRIPTOR can return for one device: the device descriptor, the one
 * configuration's descriptor set at full and high speed (null at high speed for a full-speed-only
 * device), and the strings by index from 1, all in language {@link Ch9#LANG_EN_US}.
 */
record DeviceDescriptors(byte[] device, byte[] configurationFull, byte[] configurationHigh, List<String> strings) {
    DeviceDescriptors {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(configurationFull, "configurationFull");
        strings = List.copyOf(strings);
        if (device.length != Ch9.DEVICE_LENGTH || device[1] != Ch9.DT_DEVICE) {
            throw new IllegalArgumentException("not a device descriptor: " + device.length + " bytes");
        }
        if ((device[17] & 0xff) != 1) {
            throw new IllegalArgumentException("one configuration is emulated, not " + (device[17] & 0xff));
        }
    }

    /** The configuration set for {@code speed}; with {@code otherSpeed}, for the other one, typed OTHER_SPEED_CONFIGURATION (§9.6.4). */
    byte[] configuration(UsbSpeed speed, boolean otherSpeed) {
        boolean high = (speed == UsbSpeed.HIGH) != otherSpeed;
        byte[] c = high ? configurationHigh : configurationFull;
        if (c == null) {
            return null;
        }
        c = c.clone();
        if (otherSpeed) {
            c[1] = Ch9.DT_OTHER_SPEED_CONFIGURATION;
        }
        return c;
    }

    /** The device qualifier (§9.6.2): the device descriptor's fields as they would be at the other speed; null if there is none. */
    byte[] qualifier() {
        if (configurationHigh == null) {
            return null; // a full-speed-only device answers a Request Error (§9.6.2)
        }
        return new DescriptorWriter()
                .u8(Ch9.DEVICE_QUALIFIER_LENGTH).u8(Ch9.DT_DEVICE_QUALIFIER)
                .u8(device[2]).u8(device[3]) // bcdUSB
                .u8(device[4]).u8(device[5]).u8(device[6]) // class, subclass, protocol
                .u8(device[7]) // bMaxPacketSize0: 64 at both speeds
                .u8(device[17]) // bNumConfigurations
                .u8(0)
                .toArray();
    }

    /** String descriptor {@code index}: 0 is the language list; null past the last. */
    byte[] string(int index) {
        if (index == 0) {
            return new DescriptorWriter().u8(4).u8(Ch9.DT_STRING).u16(Ch9.LANG_EN_US).toArray();
        }
        return index <= strings.size() ? DescriptorWriter.string(strings.get(index - 1)) : null;
    }
}

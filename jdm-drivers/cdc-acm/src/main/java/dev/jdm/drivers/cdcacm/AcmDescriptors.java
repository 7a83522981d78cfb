package dev.jdm.drivers.cdcacm;

import dev.jdm.abi.hw.HwException;

/**
 * What the driver reads from the configuration descriptor set (CDC 1.2 §5.2.3, USB 2.0 §9.6): the
 * union functional descriptor under the communication interface, which names its data interface,
 * and the endpoints of both interfaces.
 */
final class AcmDescriptors {
    private static final int INTERFACE = 4, ENDPOINT = 5, CS_INTERFACE = 0x24, UNION = 0x06;

    /** The data interface, and the endpoints: notification IN, bulk IN, bulk OUT (-1 if absent). */
    record Layout(int dataInterface, int notification, int bulkIn, int bulkOut) {}

    private AcmDescriptors() {}

    static Layout parse(byte[] d, int commInterface, String name) {
        int data = -1, notify = -1, in = -1, out = -1;
        int current = -1;
        for (int at = 0; at + 2 <= d.length;) {
            int len = d[at] & 0xff;
            if (len < 2 || at + len > d.length) {
                throw new HwException(HwException.ENODEV, name + ": descriptor at offset " + at + " has length " + len);
            }
            int type = d[at + 1] & 0xff;
            if (type == INTERFACE && len >= 9) {
                current = (d[at + 3] & 0xff) == 0 ? d[at + 2] & 0xff : -1; // alternate setting 0 only
            } else if (type == CS_INTERFACE && len >= 5 && current == commInterface && (d[at + 2] & 0xff) == UNION) {
                data = d[at + 4] & 0xff; // bSubordinateInterface0
            } else if (type == ENDPOINT && len >= 7 && current >= 0) {
                int address = d[at + 2] & 0xff;
                int kind = d[at + 3] & 3;
                boolean isIn = (address & 0x80) != 0;
                if (current == commInterface && kind == 3 && isIn) {
                    notify = address;
                } else if (current == data || data < 0 && current == commInterface + 1) {
                    if (kind == 2 && isIn) {
                        in = address;
                    } else if (kind == 2) {
                        out = address;
                    }
                }
            }
            at += len;
        }
        if (data < 0) {
            data = commInterface + 1; // no union descriptor: the data interface follows, as Linux assumes for such devices
        }
        if (in < 0 || out < 0) {
            throw new HwException(HwException.ENODEV, name + ": data interface " + data + " has no bulk IN and OUT endpoint pair");
        }
        return new Layout(data, notify, in, out);
    }
}

package dev.jdm.hw.emu.usb;

import java.util.List;

/**
 * The descriptors of the CDC-ACM device, laid out as Linux's gadget serial driver in ACM mode
 * (g_serial with use_acm, drivers/usb/gadget/legacy/serial.c and function/f_acm.c) presents them:
 * one configuration, a communications interface with its functional descriptors and a notification
 * endpoint, and a data interface with a bulk pair.
 */
final class AcmDescriptors {
    static final int VENDOR_ID = 0x0525; // NetChip, donated for the Linux-USB gadgets
    static final int PRODUCT_ID = 0xa4a7; // Linux-USB Serial Gadget, as CDC-ACM
    static final int BCD_DEVICE = 0x2400; // g_serial's GS_VERSION_NUM
    static final int CONFIGURATION_VALUE = 1;
    static final int COMM_INTERFACE = 0;
    static final int DATA_INTERFACE = 1;
    static final int BULK_IN = 0x81;
    static final int BULK_OUT = 0x02;
    static final int NOTIFY_IN = 0x83;
    /** A SERIAL_STATE notification is 10 bytes; 16 makes it a short packet, which ends any transfer it lands in. */
    static final int NOTIFY_MAX_PACKET = 16;
    /** 32 ms, as f_acm polls: 32 frames at full speed, 2^(9-1) microframes at high speed. */
    static final int NOTIFY_INTERVAL_FULL = 32;
    static final int NOTIFY_INTERVAL_HIGH = 9;

    static final int STRING_MANUFACTURER = 1;
    static final int STRING_PRODUCT = 2;
    static final int STRING_SERIAL = 3;
    static final int STRING_CONFIGURATION = 4;
    static final int STRING_COMM = 5;
    static final int STRING_DATA = 6;

    private AcmDescriptors() {}

    static DeviceDescriptors of(String manufacturer, String product, String serialNumber) {
        return new DeviceDescriptors(device(), configuration(UsbSpeed.FULL), configuration(UsbSpeed.HIGH),
                List.of(manufacturer, product, serialNumber, "CDC ACM config", "CDC Abstract Control Model (ACM)", "CDC ACM Data"));
    }

    /** §9.6.1. */
    static byte[] device() {
        return new DescriptorWriter()
                .u8(Ch9.DEVICE_LENGTH).u8(Ch9.DT_DEVICE)
                .u16(0x0200) // bcdUSB 2.0
                .u8(Cdc.CLASS_COMM).u8(0).u8(0) // class at the device level, as g_serial in ACM mode
                .u8(64) // bMaxPacketSize0: the only size allowed at high speed, and the largest at full
                .u16(VENDOR_ID).u16(PRODUCT_ID).u16(BCD_DEVICE)
                .u8(STRING_MANUFACTURER).u8(STRING_PRODUCT).u8(STRING_SERIAL)
                .u8(1) // bNumConfigurations
                .toArray();
    }

    /** The whole configuration set at {@code speed}: 67 bytes. */
    static byte[] configuration(UsbSpeed speed) {
        boolean high = speed == UsbSpeed.HIGH;
        int bulk = high ? 512 : 64;
        DescriptorWriter w = new DescriptorWriter()
                .u8(Ch9.CONFIGURATION_LENGTH).u8(Ch9.DT_CONFIGURATION)
                .u16(0) // wTotalLength, patched below
                .u8(2) // bNumInterfaces
                .u8(CONFIGURATION_VALUE)
                .u8(STRING_CONFIGURATION)
                .u8(Ch9.CONFIG_ATT_ONE | Ch9.CONFIG_ATT_SELF_POWERED)
                .u8(1); // bMaxPower in 2 mA units: the composite framework's default draw of 2 mA
        // interface 0: communications, ACM, AT commands (CDC 1.2 §5.1.3)
        interfaceDescriptor(w, COMM_INTERFACE, 1, Cdc.CLASS_COMM, Cdc.SUBCLASS_ACM, Cdc.PROTOCOL_AT_V25TER, STRING_COMM);
        w.u8(5).u8(Cdc.CS_INTERFACE).u8(Cdc.SUBTYPE_HEADER).u16(0x0110); // bcdCDC 1.10, as f_acm
        w.u8(5).u8(Cdc.CS_INTERFACE).u8(Cdc.SUBTYPE_CALL_MANAGEMENT).u8(0).u8(DATA_INTERFACE); // no call management
        w.u8(4).u8(Cdc.CS_INTERFACE).u8(Cdc.SUBTYPE_ACM).u8(Cdc.ACM_CAP_LINE | Cdc.ACM_CAP_SEND_BREAK);
        w.u8(5).u8(Cdc.CS_INTERFACE).u8(Cdc.SUBTYPE_UNION).u8(COMM_INTERFACE).u8(DATA_INTERFACE);
        endpointDescriptor(w, NOTIFY_IN, Ch9.XFER_INTERRUPT, NOTIFY_MAX_PACKET, high ? NOTIFY_INTERVAL_HIGH : NOTIFY_INTERVAL_FULL);
        // interface 1: data (CDC 1.2 §4.5)
        interfaceDescriptor(w, DATA_INTERFACE, 2, Cdc.CLASS_DATA, 0, 0, STRING_DATA);
        endpointDescriptor(w, BULK_IN, Ch9.XFER_BULK, bulk, 0);
        endpointDescriptor(w, BULK_OUT, Ch9.XFER_BULK, bulk, 0);
        w.set16(2, w.size());
        return w.toArray();
    }

    private static void interfaceDescriptor(DescriptorWriter w, int number, int endpoints, int cls, int subclass, int protocol, int string) {
        w.u8(Ch9.INTERFACE_LENGTH).u8(Ch9.DT_INTERFACE).u8(number).u8(0).u8(endpoints).u8(cls).u8(subclass).u8(protocol).u8(string);
    }

    private static void endpointDescriptor(DescriptorWriter w, int address, int type, int maxPacket, int interval) {
        w.u8(Ch9.ENDPOINT_LENGTH).u8(Ch9.DT_ENDPOINT).u8(address).u8(type).u16(maxPacket).u8(interval);
    }
}

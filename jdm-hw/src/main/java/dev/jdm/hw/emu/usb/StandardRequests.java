package dev.jdm.hw.emu.usb;

import static dev.jdm.hw.emu.usb.UsbDeviceState.ADDRESS;
import static dev.jdm.hw.emu.usb.UsbDeviceState.CONFIGURED;
import static dev.jdm.hw.emu.usb.UsbDeviceState.DEFAULT;

/**
 * The standard device requests of USB 2.0 §9.4, answered as §9.4.1–9.4.11 say for each device
 * state. Where the spec leaves the behaviour in a state unspecified, the request stalls. Called with
 * the device's lock held.
 */
final class StandardRequests {
    private static final byte[] NONE = new byte[0];
    private final AbstractUsbDevice device;

    StandardRequests(AbstractUsbDevice device) {
        this.device = device;
    }

    byte[] handle(SetupPacket s, byte[] out) throws UsbStall {
        return switch (s.bRequest()) {
            case Ch9.GET_DESCRIPTOR -> getDescriptor(s);
            case Ch9.SET_ADDRESS -> setAddress(s);
            case Ch9.GET_CONFIGURATION -> getConfiguration(s);
            case Ch9.SET_CONFIGURATION -> setConfiguration(s);
            case Ch9.GET_STATUS -> getStatus(s);
            case Ch9.CLEAR_FEATURE -> feature(s, false);
            case Ch9.SET_FEATURE -> feature(s, true);
            case Ch9.GET_INTERFACE -> getInterface(s);
            case Ch9.SET_INTERFACE -> setInterface(s);
            case Ch9.SET_DESCRIPTOR -> throw new UsbStall(s, "SET_DESCRIPTOR is optional and not supported");
            case Ch9.SYNCH_FRAME -> throw new UsbStall(s, "SYNCH_FRAME is for isochronous endpoints, and there are none");
            default -> throw new UsbStall(s, "bRequest " + s.bRequest() + " is not a standard request");
        };
    }

    /** §9.4.3: valid in every state. */
    private byte[] getDescriptor(SetupPacket s) throws UsbStall {
        expect(s, Ch9.RT_DEVICE_IN);
        DeviceDescriptors d = device.descriptors;
        byte[] answer = switch (s.valueHigh()) {
            case Ch9.DT_DEVICE -> s.valueLow() == 0 ? d.device().clone() : null;
            case Ch9.DT_CONFIGURATION -> s.valueLow() == 0 ? d.configuration(device.speed(), false) : null;
            case Ch9.DT_OTHER_SPEED_CONFIGURATION -> s.valueLow() == 0 ? d.configuration(device.speed(), true) : null;
            case Ch9.DT_DEVICE_QUALIFIER -> s.valueLow() == 0 ? d.qualifier() : null;
            case Ch9.DT_STRING -> {
                if (s.valueLow() != 0 && s.wIndex() != Ch9.LANG_EN_US) {
                    throw new UsbStall(s, String.format("strings are in language 0x%04x only, not 0x%04x", Ch9.LANG_EN_US, s.wIndex()));
                }
                yield d.string(s.valueLow());
            }
            default -> null;
        };
        if (answer == null) {
            throw new UsbStall(s, "there is no descriptor of type " + s.valueHigh() + " index " + s.valueLow());
        }
        return answer;
    }

    /** §9.4.6. */
    private byte[] setAddress(SetupPacket s) throws UsbStall {
        expect(s, Ch9.RT_DEVICE_OUT);
        if (s.wValue() > 127 || s.wIndex() != 0 || s.wLength() != 0) {
            throw new UsbStall(s, "SET_ADDRESS takes an address 0-127 and no wIndex or data");
        }
        if (device.stateLocked() == CONFIGURED) {
            throw new UsbStall(s, "SET_ADDRESS in the Configured state is not specified; deconfigure or reset first");
        }
        device.setAddress(s.wValue());
        return NONE;
    }

    /** §9.4.2. */
    private byte[] getConfiguration(SetupPacket s) throws UsbStall {
        expect(s, Ch9.RT_DEVICE_IN);
        needState(s, ADDRESS);
        return new byte[] {(byte) (device.stateLocked() == CONFIGURED ? device.config.value() : 0)};
    }

    /** §9.4.7. */
    private byte[] setConfiguration(SetupPacket s) throws UsbStall {
        expect(s, Ch9.RT_DEVICE_OUT);
        needState(s, ADDRESS);
        int value = s.valueLow();
        if (s.valueHigh() != 0 || (value != 0 && value != device.config.value())) {
            throw new UsbStall(s, "configuration " + s.wValue() + " does not exist; there are 0 (unconfigured) and " + device.config.value());
        }
        device.setConfiguration(value);
        return NONE;
    }

    /** §9.4.5. */
    private byte[] getStatus(SetupPacket s) throws UsbStall {
        needState(s, ADDRESS);
        if (s.wValue() != 0 || s.wLength() != 2) {
            throw new UsbStall(s, "GET_STATUS takes wValue 0 and wLength 2");
        }
        return switch (s.bmRequestType()) {
            case Ch9.RT_DEVICE_IN -> s.wIndex() == 0 ? word(selfPowered() ? Ch9.STATUS_SELF_POWERED : 0) : badIndex(s);
            case Ch9.RT_INTERFACE_IN -> {
                interfaceOf(s);
                yield word(0);
            }
            case Ch9.RT_ENDPOINT_IN -> {
                TransferBook.Endpoint e = endpointOf(s);
                yield word(e != null && e.halted ? Ch9.STATUS_HALT : 0);
            }
            default -> throw new UsbStall(s, "GET_STATUS goes to a device, an interface or an endpoint, IN");
        };
    }

    /** §9.4.1 CLEAR_FEATURE and §9.4.9 SET_FEATURE. */
    private byte[] feature(SetupPacket s, boolean set) throws UsbStall {
        needState(s, ADDRESS);
        if (s.wLength() != 0) {
            throw new UsbStall(s, "a feature request has no data stage");
        }
        switch (s.bmRequestType()) {
            case Ch9.RT_DEVICE_OUT -> throw new UsbStall(s, switch (s.wValue()) {
                case Ch9.DEVICE_REMOTE_WAKEUP -> "remote wakeup is not offered (bmAttributes bit 5 is clear)";
                case Ch9.TEST_MODE -> "test modes are not emulated";
                default -> "device feature " + s.wValue() + " does not exist";
            });
            case Ch9.RT_INTERFACE_OUT -> {
                interfaceOf(s);
                throw new UsbStall(s, "interfaces have no features");
            }
            case Ch9.RT_ENDPOINT_OUT -> {
                if (s.wValue() != Ch9.ENDPOINT_HALT) {
                    throw new UsbStall(s, "endpoint feature " + s.wValue() + " does not exist; ENDPOINT_HALT is 0");
                }
                TransferBook.Endpoint e = endpointOf(s);
                if (e != null) { // endpoint 0: its STALL clears at the next SETUP anyway
                    halt(e, set);
                }
            }
            default -> throw new UsbStall(s, "a feature request goes to a device, an interface or an endpoint, OUT");
        }
        return NONE;
    }

    /** §9.4.4. */
    private byte[] getInterface(SetupPacket s) throws UsbStall {
        expect(s, Ch9.RT_INTERFACE_IN);
        needState(s, CONFIGURED);
        if (s.wValue() != 0 || s.wLength() != 1) {
            throw new UsbStall(s, "GET_INTERFACE takes wValue 0 and wLength 1");
        }
        interfaceOf(s);
        return new byte[] {0};
    }

    /** §9.4.10: alternate setting 0 is the only one; selecting it resets the interface's endpoints. */
    private byte[] setInterface(SetupPacket s) throws UsbStall {
        expect(s, Ch9.RT_INTERFACE_OUT);
        needState(s, CONFIGURED);
        int iface = interfaceOf(s);
        if (s.wValue() != 0) {
            throw new UsbStall(s, "interface " + iface + " has alternate setting 0 only, not " + s.wValue());
        }
        for (ConfigModel.EndpointInfo info : device.config.endpointsOf(iface)) {
            halt(device.book.endpoint(info.address()), false);
        }
        return NONE;
    }

    private void halt(TransferBook.Endpoint e, boolean set) {
        e.halted = set;
        if (set) {
            // a halted endpoint answers STALL to every transaction, so what was queued on it ends so
            device.book.flush(e, TransferStatus.STALL, device.dueNanos());
        }
    }

    private boolean selfPowered() {
        byte[] c = device.descriptors.configurationFull();
        return (c[7] & Ch9.CONFIG_ATT_SELF_POWERED) != 0;
    }

    /** The interface wIndex names; Request Error if there is none, or outside the Configured state. */
    private int interfaceOf(SetupPacket s) throws UsbStall {
        if (device.stateLocked() != CONFIGURED) {
            throw new UsbStall(s, "interface requests need the Configured state; the device is " + device.stateLocked());
        }
        if (s.wIndex() > 0xff || !device.config.hasInterface(s.wIndex())) {
            throw new UsbStall(s, "interface " + s.wIndex() + " does not exist");
        }
        return s.wIndex();
    }

    /** The endpoint wIndex names: null for endpoint 0; Request Error if there is none (in the Address state, every other one). */
    private TransferBook.Endpoint endpointOf(SetupPacket s) throws UsbStall {
        int address = s.wIndex();
        if (address == 0 || address == Ch9.ENDPOINT_DIR_IN) {
            return null;
        }
        TransferBook.Endpoint e = address > 0xff ? null : device.book.endpoint(address);
        if (e == null) {
            throw new UsbStall(s, String.format("endpoint 0x%02x does not exist in the %s state", address, device.stateLocked()));
        }
        return e;
    }

    private byte[] badIndex(SetupPacket s) throws UsbStall {
        throw new UsbStall(s, "wIndex must be 0 for the device");
    }

    private void needState(SetupPacket s, UsbDeviceState least) throws UsbStall {
        UsbDeviceState now = device.stateLocked();
        boolean ok = least == ADDRESS ? now == ADDRESS || now == CONFIGURED : now == least;
        if (!ok) {
            throw new UsbStall(s, "this request needs the " + (least == ADDRESS ? "Address or Configured" : "Configured") + " state; the device is " + now
                    + (now == DEFAULT ? " (SET_ADDRESS first)" : ""));
        }
    }

    private static void expect(SetupPacket s, int bmRequestType) throws UsbStall {
        if (s.bmRequestType() != bmRequestType) {
            throw new UsbStall(s, String.format("this request has bmRequestType 0x%02x, not 0x%02x", bmRequestType, s.bmRequestType()));
        }
    }

    private static byte[] word(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8)};
    }
}

package dev.jdm.host.hw;

import dev.jdm.hw.alias.Modalias;
import dev.jdm.hw.alias.UsbInterfaceIds;
import dev.jdm.hw.emu.usb.EmulatedUsbDevice;
import dev.jdm.hw.emu.usb.SetupPacket;
import dev.jdm.hw.emu.usb.UsbTransferException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A device on a port of the emulated USB bus, enumerated and configured by the host as Linux's hub
 * driver does: the device descriptor's first 8 bytes, an address, the whole device descriptor, the
 * configuration (9 bytes, then wTotalLength), strings, SET_CONFIGURATION. Its interfaces are then
 * bound one by one; which driver holds which is guarded by the bus.
 */
final class UsbSlot {
    final String name;
    final EmulatedUsbDevice device;
    final EmulatedDevices.Made made;
    final ReentrantLock lock = new ReentrantLock();
    final UsbDescriptors.Device descriptor;
    final UsbDescriptors.Configuration configuration;
    final String product;
    /** Guarded by the bus: per interface number, the binding holding it (claimed interfaces point at their claimer). */
    final Map<Integer, BoundUsbInterface> holders = new HashMap<>();
    private volatile boolean present = true;

    UsbSlot(String name, EmulatedDevices.Made made, int address) throws UsbTransferException {
        this.name = name;
        this.made = made;
        this.device = made.usb();
        device.attach();
        byte[] head = device.control(new SetupPacket(0x80, 6, UsbDescriptors.DEVICE << 8, 0, 8), null);
        if (head.length < 8) {
            throw new IllegalArgumentException("the device answered GET_DESCRIPTOR(DEVICE, 8) with " + head.length + " bytes");
        }
        device.control(new SetupPacket(0x00, 5, address, 0, 0), null);
        this.descriptor = UsbDescriptors.device(device.control(new SetupPacket(0x80, 6, UsbDescriptors.DEVICE << 8, 0, 18), null));
        int total = UsbDescriptors.totalLength(device.control(new SetupPacket(0x80, 6, UsbDescriptors.CONFIGURATION << 8, 0, 9), null));
        this.configuration = UsbDescriptors.configuration(device.control(new SetupPacket(0x80, 6, UsbDescriptors.CONFIGURATION << 8, 0, total), null));
        this.product = string(descriptor.productString());
        device.control(new SetupPacket(0x00, 9, configuration.value(), 0, 0), null);
    }

    boolean present() {
        return present;
    }

    void gone() {
        present = false;
    }

    /** String descriptor {@code index} in US English (0x0409), or "" if there is none. */
    String string(int index) {
        if (index == 0 || !present) {
            return "";
        }
        try {
            return UsbDescriptors.string(device.control(new SetupPacket(0x80, 6, UsbDescriptors.STRING << 8 | index, 0x0409, 255), null));
        } catch (UsbTransferException e) {
            return "";
        }
    }

    List<UsbDescriptors.Interface> interfaces() {
        return configuration.interfaces();
    }

    UsbDescriptors.Interface intf(int number) {
        return interfaces().stream().filter(i -> i.number() == number).findFirst().orElse(null);
    }

    String modalias(UsbDescriptors.Interface i) {
        UsbDescriptors.Device d = descriptor;
        return Modalias.usb(new UsbInterfaceIds(d.vendor(), d.product(), d.bcdDevice(), d.deviceClass(), d.deviceSubClass(), d.deviceProtocol(),
                i.interfaceClass(), i.interfaceSubClass(), i.interfaceProtocol(), i.number()));
    }

    /** {@code usb1-1:1.0}: the interface's name under the device's. */
    String interfaceName(int number) {
        return name + ":" + configuration.value() + "." + number;
    }
}

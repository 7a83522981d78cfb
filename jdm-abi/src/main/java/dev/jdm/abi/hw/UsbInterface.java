package dev.jdm.abi.hw;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;
import java.lang.foreign.MemorySegment;

/**
 * An interface of a configured USB device, bound to the calling driver, with its endpoints. The
 * device is enumerated and configured by the host before any driver sees it. Everything it hands
 * out stops working when the binding is removed.
 */
@Provided
@Since("JDM_1.2")
public interface UsbInterface {
    /** Its name on the bus, e.g. {@code usb1-1:1.0} (bus 1, port 1, configuration 1, interface 0). */
    String name();

    /** Its modalias, as the driver's aliases matched it. */
    String modalias();

    /** False once the device has been removed: outstanding URBs complete with -ENODEV. */
    boolean present();

    /** The interface number (bInterfaceNumber). */
    int number();

    int interfaceClass();

    int interfaceSubClass();

    int interfaceProtocol();

    /** The device's idVendor. */
    int vendor();

    /** The device's idProduct. */
    int product();

    /**
     * The whole configuration descriptor set as the device returned it (configuration, interfaces,
     * class-specific and endpoint descriptors), for a class driver to parse what it needs (a CDC
     * union descriptor). A copy.
     */
    byte[] descriptors();

    /**
     * The device's string descriptor {@code index} in US English, or "" for index 0 or a device that
     * has none.
     */
    String string(int index);

    /**
     * A control transfer on endpoint 0 addressed to this interface or its endpoints (the host
     * refuses standard requests that would change the device's configuration or address): the data
     * stage is {@code data} (its size is wLength; empty for none), read into for an IN request.
     * Returns the bytes moved.
     *
     * @throws HwException EPIPE if the device stalled it, ENODEV if it is gone, EPERM for a request
     *     the host keeps for itself (SET_ADDRESS, SET_CONFIGURATION)
     */
    int control(int requestType, int request, int value, int index, MemorySegment data);

    /**
     * Claims another interface of the same device for this binding (a CDC data interface next to
     * its communication interface), as Linux's {@code usb_driver_claim_interface}.
     *
     * @throws HwException ENXIO if there is no such interface, EBUSY if another driver holds it
     */
    UsbInterface claim(int number);

    /**
     * The endpoint {@code address} (bit 7: IN) of this interface.
     *
     * @throws HwException ENXIO if this interface has no such endpoint
     */
    UsbEndpoint endpoint(int address);
}

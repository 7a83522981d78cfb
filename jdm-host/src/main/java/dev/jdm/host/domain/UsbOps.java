package dev.jdm.host.domain;

/**
 * The operations of USB_OP (a USB driver in a domain reaching its interface through the host) and
 * USB_CALL (the host calling that driver). A URB's data travels in the frames: the host submits
 * the transfer on a buffer of its own and sends what an IN transfer brought back with URB_DONE.
 */
public final class UsbOps {
    // USB_OP: CONTROL a = bmRequestType | bRequest << 8, b = wValue | wIndex << 16, value = wLength (IN), data = the OUT stage;
    // ENDPOINT/CLEAR_HALT a = endpoint address; SUBMIT a = endpoint address, b = length, value = the URB's id, data = OUT data;
    // CANCEL value = the URB's id; CLAIM a = interface number; STRING a = index
    public static final int CONTROL = 1, DESCRIPTORS = 2, STRING = 3, CLAIM = 4, ENDPOINT = 5, SUBMIT = 6, CANCEL = 7, CLEAR_HALT = 8, PRESENT = 9;
    // USB_CALL
    public static final int PROBE = 1, REMOVE = 2, URB_DONE = 3;
    /** Most bytes one control transfer or URB carries to or from a domain (a frame is at most 64 KiB). */
    public static final int MAX_DATA = DomainProtocol.MAX_CHR_DATA;

    private UsbOps() {}
}

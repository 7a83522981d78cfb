package dev.jdm.hw.emu.usb;

/**
 * The visible device states of USB 2.0 §9.1.1 that this emulation distinguishes. Attached and
 * Powered are folded into {@link #DEFAULT}, because a port resets a device as it connects it; a
 * suspended device is not emulated.
 */
public enum UsbDeviceState {
    /** Not on a port: nothing answers. */
    DETACHED,
    /** Reset, answering at address 0. */
    DEFAULT,
    /** Given an address by SET_ADDRESS, not configured. */
    ADDRESS,
    /** A configuration is selected by SET_CONFIGURATION; its endpoints carry data. */
    CONFIGURED
}

package dev.jdm.hw.emu.usb;

/** The signalling rate a device runs at on its port (USB 2.0 §5.3.1, §7.1). */
public enum UsbSpeed {
    /** 1.5 Mb/s; bulk endpoints are not allowed at this speed (§5.8). */
    LOW,
    /** 12 Mb/s; bulk packets of at most 64 bytes, intervals in 1 ms frames. */
    FULL,
    /** 480 Mb/s; bulk packets of 512 bytes, intervals in 125 µs microframes. */
    HIGH
}

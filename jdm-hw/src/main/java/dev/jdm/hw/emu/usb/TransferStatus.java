package dev.jdm.hw.emu.usb;

/**
 * How a transfer ended. A short IN transfer is not a status of its own: it completes
 * {@link #COMPLETED} with an actual length below the length asked for.
 */
public enum TransferStatus {
    /** All of it moved, or an IN transfer was ended by a short packet. */
    COMPLETED,
    /** The endpoint answered STALL: it is halted, or it does not exist in the current configuration. */
    STALL,
    /** The host cancelled it, or ended it by deconfiguring or resetting the device. */
    CANCELLED,
    /** The device went away (a surprise removal) while it was pending. */
    NO_DEVICE,
    /** A transaction error: bad CRC, a timeout, a lost handshake. */
    ERROR,
    /** The device sent a packet larger than the room left in the buffer. */
    BABBLE
}

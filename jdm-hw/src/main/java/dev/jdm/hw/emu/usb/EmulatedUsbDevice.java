package dev.jdm.hw.emu.usb;

import dev.jdm.hw.emu.Faults;

/**
 * A USB device as the host's bus sees it through a root hub port: one call per transaction-level
 * operation, with no host controller registers in between. Control transfers on endpoint 0 are
 * synchronous; bulk and interrupt transfers are asynchronous and complete on the device's own
 * thread. All methods are thread-safe.
 */
public interface EmulatedUsbDevice {
    /** The speed the device runs at on its port. */
    UsbSpeed speed();

    /** The device state of USB 2.0 §9.1.1. */
    UsbDeviceState state();

    /** The address SET_ADDRESS gave it; 0 in the Default state. */
    int address();

    /**
     * A whole control transfer on endpoint 0: SETUP, the data stage, the status stage. For an OUT
     * request {@code outData} is the data stage, exactly {@code wLength} bytes (null or empty when
     * wLength is 0); for an IN request it is ignored. Returns the IN data stage, at most wLength
     * bytes and possibly fewer; empty for an OUT request.
     *
     * @throws UsbStall the device does not support the request, or not in its state or with these fields
     * @throws UsbTransferException with {@link TransferStatus#NO_DEVICE} when the device is not attached
     */
    byte[] control(SetupPacket setup, byte[] outData) throws UsbTransferException;

    /**
     * Queues {@code t} on its endpoint. It completes later on the device's thread, never inside this
     * call: STALL at once if the endpoint is halted or is not in the current configuration
     * (an unconfigured device has none).
     *
     * @throws UsbTransferException with {@link TransferStatus#NO_DEVICE} when the device is not
     *     attached; the transfer is then not taken and will not complete
     * @throws IllegalStateException if {@code t} is already pending
     * @throws IllegalArgumentException if the device's thread cannot reach {@code t}'s buffer
     */
    void submit(Transfer t) throws UsbTransferException;

    /**
     * Completes {@code t} CANCELLED, with the bytes it had moved, if it is still pending on this
     * device; returns whether it did. The completion runs on the calling thread before this returns.
     */
    boolean cancel(Transfer t);

    /**
     * A bus reset (the port's reset signalling): the device returns to the Default state at address
     * 0, unconfigured, and every pending transfer completes CANCELLED.
     */
    void reset();

    /** Connects the device to its port: it starts its thread and is reset, in the Default state. */
    void attach();

    /**
     * A surprise removal: every pending transfer completes NO_DEVICE before this returns, the
     * device's thread is stopped and joined, and no completion runs after it.
     */
    void detach();

    /** The fault switches, shared with the operator's. */
    Faults faults();
}

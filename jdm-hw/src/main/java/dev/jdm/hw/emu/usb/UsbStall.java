package dev.jdm.hw.emu.usb;

/**
 * A STALL handshake on endpoint 0: the device does not support the request, or the request is not
 * valid in the device's state or with these fields (a Request Error, USB 2.0 §9.2.7). Checked, like
 * its parent: a host asks for optional things and must be ready to hear no. The control pipe is
 * usable again at the next SETUP.
 */
public final class UsbStall extends UsbTransferException {
    private static final long serialVersionUID = 1L;
    private final SetupPacket setup;

    public UsbStall(SetupPacket setup, String reason) {
        super(TransferStatus.STALL, setup + " stalled: " + reason);
        this.setup = setup;
    }

    /** The request that stalled. */
    public SetupPacket setup() {
        return setup;
    }
}

package dev.jdm.hw.emu.usb;

import java.util.Objects;

/**
 * A control transfer, or the submission of a transfer, that did not complete, with the status a
 * host controller would report for it. Checked, because a host must handle each outcome: a STALL
 * ({@link UsbStall}) is an ordinary answer of a device, and {@link TransferStatus#NO_DEVICE} the
 * ordinary answer of a port whose device was removed.
 */
public class UsbTransferException extends Exception {
    private static final long serialVersionUID = 1L;
    private final TransferStatus status;

    public UsbTransferException(TransferStatus status, String message) {
        super(message);
        this.status = Objects.requireNonNull(status, "status");
        if (status == TransferStatus.COMPLETED) {
            throw new IllegalArgumentException("a completed transfer is not an exception: " + message);
        }
    }

    /** What a host controller would report: STALL, NO_DEVICE or ERROR. */
    public TransferStatus status() {
        return status;
    }
}

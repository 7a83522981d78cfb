package dev.jdm.abi.hw;

import dev.jdm.abi.Implemented;
import dev.jdm.abi.Since;

/** A USB driver's entry point: one probe per matching interface of a configured device. */
@Implemented
@FunctionalInterface
@Since("JDM_1.2")
public interface UsbDriver {
    /**
     * Takes the interface: checks it, sets it up and returns the binding that holds its state.
     * URBs the probe submitted are cancelled by the host if it throws.
     *
     * @throws HwException to decline the interface (ENODEV) or report its failure (EIO, EPIPE)
     */
    HwBinding probe(UsbInterface intf);
}

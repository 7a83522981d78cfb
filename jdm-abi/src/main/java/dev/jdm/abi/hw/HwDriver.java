package dev.jdm.abi.hw;

import dev.jdm.abi.Implemented;
import dev.jdm.abi.Since;

/** A hardware driver's entry point: one probe per matching device. */
@Implemented
@FunctionalInterface
@Since("JDM_1.2")
public interface HwDriver {
    /**
     * Takes the device: checks it, sets it up and returns the binding that holds its state.
     * Whatever the probe allocated on the device (interrupts, DMA) is released by the host if it
     * throws.
     *
     * @throws HwException to decline the device (ENODEV) or report its failure (EIO, ETIMEDOUT)
     */
    HwBinding probe(HwDevice device);
}

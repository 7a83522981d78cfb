package dev.jdm.abi.hw;

import dev.jdm.abi.Implemented;
import dev.jdm.abi.Since;

/** A driver's hold on one device, as a Linux driver keeps it in its {@code drvdata}. */
@Implemented
@FunctionalInterface
@Since("JDM_1.2")
public interface HwBinding {
    /**
     * Lets go of the device: fails what is outstanding (ENODEV when the device is gone) and stops.
     * Runs exactly once. The device may already be unplugged, so its registers may read all ones;
     * the host frees the binding's interrupts and DMA memory after this returns.
     */
    void remove();
}

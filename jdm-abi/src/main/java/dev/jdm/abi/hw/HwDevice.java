package dev.jdm.abi.hw;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/**
 * A device bound to the calling driver, with the resources the I/O server grants it. Every window
 * and buffer it hands out stops working when the binding is removed.
 */
@Provided
@Since("JDM_1.2")
public interface HwDevice {
    /** The bus: {@code pci}, or {@code platform} for a device no bus enumerates. */
    String bus();

    /** The device's address on its bus, e.g. {@code 0001:00:03.0}, or a platform device's {@code serial8250.0}. */
    String name();

    /** Its modalias, as the driver's aliases matched it. */
    String modalias();

    /** False once the device has been removed: outstanding I/O should fail with ENODEV. */
    boolean present();

    /**
     * Its config space.
     *
     * @throws HwException ENXIO for a platform device, which has none
     */
    PciConfig config();

    /**
     * The memory BAR {@code bar} (a platform device's memory resource {@code bar}) as a window of
     * register accesses.
     *
     * @throws HwException ENXIO if the device has no memory BAR there
     */
    Mmio mmio(int bar);

    /**
     * The I/O BAR {@code bar} as a window of port accesses.
     *
     * @throws HwException ENXIO if the device has no I/O BAR there
     */
    Pio pio(int bar);

    /** How many MSI-X vectors the device has (0: only the INTx line). */
    int msixVectors();

    /**
     * Requests interrupt {@code vector} (an MSI-X vector, or {@link Irq#INTX}) and delivers it to
     * {@code handler} on the device's interrupt thread for that vector.
     *
     * @throws HwException EBUSY if the vector is taken, ENXIO if the device has no such vector
     */
    Irq irq(int vector, IrqHandler handler);

    /** DMA memory the device may reach, accounted to the module's kmem. */
    Dma dma();
}

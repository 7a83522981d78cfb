package dev.jdm.abi.hw;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/** The hardware layer as a module sees it ({@code ModuleContext.hw()}). */
@Provided
@Since("JDM_1.2")
public interface HwLayer {
    /**
     * Registers the module's driver: it is offered every present device that the module's
     * {@link PciId} table matches and no other driver holds (coldplug), and every later one
     * (hotplug). The registration ends, and each binding is removed, when the module goes.
     *
     * @throws HwException EBUSY if this module already registered a driver, EINVAL if the module
     *     declares no {@link PciId}
     */
    void register(HwDriver driver);

    /**
     * Registers the module's USB driver: it is offered every interface of a configured USB device
     * that the module's {@link UsbId} table matches and no other driver holds, now and as devices
     * appear. The registration ends, and each binding is removed, when the module goes.
     *
     * @throws HwException EBUSY if this module already registered a USB driver, EINVAL if the
     *     module declares no {@link UsbId}
     */
    void registerUsb(UsbDriver driver);
}

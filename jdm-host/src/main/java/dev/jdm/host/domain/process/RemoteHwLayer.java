package dev.jdm.host.domain.process;

import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.HwLayer;
import dev.jdm.abi.hw.UsbDriver;
import dev.jdm.abi.hw.HwDriver;
import dev.jdm.host.domain.DomainProtocol;

/**
 * A domain module's hw(): a driver is registered with the host (HW_REGISTER, USB_REGISTER), which
 * binds it by the module's aliases and calls its probe here ({@link DomainHwCalls}, {@link DomainUsbCalls}).
 */
final class RemoteHwLayer implements HwLayer {
    private final String module;
    private final HostLink host;
    private final DomainHwCalls calls;
    private final DomainUsbCalls usbCalls;

    RemoteHwLayer(String module, HostLink host, DomainHwCalls calls, DomainUsbCalls usbCalls) {
        this.module = module;
        this.host = host;
        this.calls = calls;
        this.usbCalls = usbCalls;
    }

    @Override
    public void register(HwDriver driver) {
        if (!calls.driver(module, driver)) {
            throw new HwException(HwException.EBUSY, module + " has registered its driver already");
        }
        try {
            RemoteHwDevice.check(host.ask(DomainProtocol.HW_REGISTER, w -> w.name(module)), module);
        } catch (RuntimeException e) {
            calls.forget(module);
            throw e;
        } catch (InterruptedException e) {
            calls.forget(module);
            Thread.currentThread().interrupt();
            throw new HwException(HwException.EIO, module + ": interrupted while registering");
        }
    }

    @Override
    public void registerUsb(UsbDriver driver) {
        if (!usbCalls.driver(module, driver)) {
            throw new HwException(HwException.EBUSY, module + " has registered its USB driver already");
        }
        try {
            RemoteHwDevice.check(host.ask(DomainProtocol.USB_REGISTER, w -> w.name(module)), module);
        } catch (RuntimeException e) {
            usbCalls.forget(module);
            throw e;
        } catch (InterruptedException e) {
            usbCalls.forget(module);
            Thread.currentThread().interrupt();
            throw new HwException(HwException.EIO, module + ": interrupted while registering");
        }
    }

}

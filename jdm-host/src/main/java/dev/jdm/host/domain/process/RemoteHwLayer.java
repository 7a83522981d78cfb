package dev.jdm.host.domain.process;

import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.HwLayer;
import dev.jdm.abi.hw.UsbDriver;
import dev.jdm.abi.hw.HwDriver;
import dev.jdm.host.domain.DomainProtocol;

/**
 * A domain module's hw(): the driver is registered with the host (HW_REGISTER), which binds it by
 * the module's aliases and calls its probe here ({@link DomainHwCalls}).
 */
final class RemoteHwLayer implements HwLayer {
    private final String module;
    private final HostLink host;
    private final DomainHwCalls calls;

    RemoteHwLayer(String module, HostLink host, DomainHwCalls calls) {
        this.module = module;
        this.host = host;
        this.calls = calls;
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

    /** USB drivers run colocated only, for now: the USB bus is not carried to domains. */
    @Override
    public void registerUsb(UsbDriver driver) {
        throw new HwException(HwException.EOPNOTSUPP, module + ": USB drivers run colocated only on this host; load without --domain isolated");
    }

}

package dev.jdm.host.hw;

import dev.jdm.abi.hw.HwDriver;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.HwLayer;
import dev.jdm.abi.hw.UsbDriver;
import dev.jdm.abi.mem.Kmem;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.module.ModuleService;
import dev.jdm.host.module.ModuleSite;
import java.util.List;

/**
 * Each module's hardware layer. Its bindings are removed when the module starts going, before its
 * exit runs, as a Linux module's exit unregisters its driver: the driver's remove() sees its own
 * state intact, and exit sees no device.
 */
public final class HwService implements ModuleService<HwLayer> {
    /**
     * What a module's hw() face also does for the host: drop the module's registrations without
     * ending its face, so that a module whose domain process died can register again once it runs
     * in the new one.
     */
    public interface Registrations {
        /** Unregisters the module's drivers; every binding is removed. The module may register again. */
        void unregisterAll();
    }

    private final Board board;
    private final LogRing log;

    public HwService(Board board, LogRing log) {
        this.board = board;
        this.log = log;
    }

    @Override
    public Class<HwLayer> face() {
        return HwLayer.class;
    }

    @Override
    public Attachment<HwLayer> attach(ModuleSite module) {
        Layer layer = new Layer(module);
        return new Attachment<>() {
            @Override
            public HwLayer face() {
                return layer;
            }

            @Override
            public void going() {
                layer.close();
            }

            @Override
            public void detach(Detach why) {
                layer.close();
            }
        };
    }

    private final class Layer implements HwLayer, Registrations {
        private final ModuleSite module;
        private DriverRegistration registration;
        private UsbRegistration usbRegistration;
        private boolean closed;

        Layer(ModuleSite module) {
            this.module = module;
        }

        @Override
        public void register(HwDriver driver) {
            DriverRegistration r;
            synchronized (this) {
                if (closed) {
                    throw new HwException(HwException.ENODEV, module.name() + " is going");
                }
                if (registration != null) {
                    throw new HwException(HwException.EBUSY, module.name() + " has registered its driver already");
                }
                List<String> aliases = module.info().all("alias").stream().filter(a -> a.startsWith("pci:") || a.startsWith("platform:")).toList();
                if (aliases.isEmpty()) {
                    throw new HwException(HwException.EINVAL, module.name() + " declares no @PciId or @PlatformId, so no device can match it");
                }
                r = new DriverRegistration(module.name(), aliases, driver, module.face(Kmem.class), log);
                registration = r;
            }
            board.register(r);
        }

        @Override
        public void registerUsb(UsbDriver driver) {
            UsbRegistration r;
            synchronized (this) {
                if (closed) {
                    throw new HwException(HwException.ENODEV, module.name() + " is going");
                }
                if (usbRegistration != null) {
                    throw new HwException(HwException.EBUSY, module.name() + " has registered its USB driver already");
                }
                List<String> aliases = module.info().all("alias").stream().filter(a -> a.startsWith("usb:")).toList();
                if (aliases.isEmpty()) {
                    throw new HwException(HwException.EINVAL, module.name() + " declares no @UsbId, so no interface can match it");
                }
                r = new UsbRegistration(module.name(), aliases, driver, log);
                usbRegistration = r;
            }
            board.usb().register(r);
        }

        @Override
        public void unregisterAll() {
            end(false);
        }

        void close() {
            end(true);
        }

        private void end(boolean forGood) {
            DriverRegistration r;
            UsbRegistration u;
            synchronized (this) {
                closed |= forGood;
                r = registration;
                registration = null;
                u = usbRegistration;
                usbRegistration = null;
            }
            if (r != null) {
                board.unregister(r);
            }
            if (u != null) {
                board.usb().unregister(u);
            }
        }
    }
}

package dev.jdm.host.hw;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.hw.Dma;
import dev.jdm.abi.hw.HwBinding;
import dev.jdm.abi.hw.HwDevice;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.Irq;
import dev.jdm.abi.hw.IrqHandler;
import dev.jdm.abi.hw.Mmio;
import dev.jdm.abi.hw.PciConfig;
import dev.jdm.abi.hw.Pio;
import dev.jdm.hw.emu.BarSpec;
import dev.jdm.hw.emu.PciConfigSpace;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A device as its bound driver sees it: the grants of one binding. Every window, vector and buffer
 * it handed out is revoked together when the binding ends.
 */
final class BoundDevice implements HwDevice {
    private final Slot slot;
    private final DriverRegistration driver;
    private final Optional<MsixControl> msix;
    private final ConfigWindow config;
    private final DeviceDma dma;
    private final GrantCheck grants;
    private volatile boolean dmaGranted;
    private final List<IrqLine> irqs = new CopyOnWriteArrayList<>();
    private volatile boolean live = true;
    private boolean msixOn;
    private HwBinding binding;

    BoundDevice(Slot slot, DriverRegistration driver, GrantCheck grants) {
        this.slot = slot;
        this.driver = driver;
        this.grants = grants;
        // a real device's config is only read: its MSI-X stays the kernel's, and no vector is granted
        this.msix = slot.device.configReadOnly() || slot.platform() ? Optional.empty() : MsixControl.of(slot.device);
        this.config = new ConfigWindow(this, slot.device, msix.map(MsixControl::controlOffset).orElse(-1));
        this.dma = new DeviceDma(driver.kmem(), slot.dma, slot.name);
    }

    void bind(HwBinding b) {
        this.binding = b;
    }

    HwBinding binding() {
        return binding;
    }

    /** Whether accesses still reach the device: bound, and the device present. */
    boolean live() {
        return live && slot.present();
    }

    void warn(String message) {
        driver.log(LogLevel.WARNING, message);
    }

    /**
     * Asks resource_grant for one resource of this device; a refusal, or an error in the check,
     * is EACCES and is logged.
     */
    void grant(String kind, String resource, long start, long length) {
        try {
            grants.check(driver.module(), kind, resource, start, length);
        } catch (RuntimeException e) {
            String msg = slot.name + ": " + kind + " " + resource + " refused by resource_grant: " + e.getMessage();
            warn(msg);
            throw new HwException(HwException.EACCES, msg);
        }
    }

    /**
     * Ends the grants: no more accesses, interrupts freed, the device stopped from mastering the
     * bus, then its DMA memory unmapped and freed. Returns the number of DMA buffers the driver left.
     */
    int revoke() {
        live = false;
        irqs.forEach(IrqLine::free);
        if (slot.present() && !slot.device.configReadOnly() && !slot.platform()) {
            msix.ifPresent(MsixControl::disable);
            MsixControl.quiesce(slot.device);
        }
        return dma.releaseAll();
    }

    @Override
    public String bus() {
        return slot.platform() ? "platform" : "pci";
    }

    @Override
    public String name() {
        return slot.name;
    }

    @Override
    public String modalias() {
        return slot.modalias;
    }

    @Override
    public boolean present() {
        return slot.present();
    }

    @Override
    public PciConfig config() {
        if (slot.platform()) {
            throw new HwException(HwException.ENXIO, slot.name + " is a platform device: it has no config space");
        }
        return config;
    }

    @Override
    public Mmio mmio(int bar) {
        BarSpec spec = bar(bar, "memory");
        if (spec.kind() == BarSpec.Kind.IO) {
            throw new HwException(HwException.ENXIO, slot.name + ": BAR" + bar + " is an I/O BAR; use pio(" + bar + ")");
        }
        grant("mmio", slot.name + " BAR" + bar, 0, spec.size());
        return new MmioWindow(this, slot.device, bar, spec.size(), msix.map(m -> m.hiddenIn(bar)).orElse(new long[0]));
    }

    @Override
    public Pio pio(int bar) {
        BarSpec spec = bar(bar, "I/O");
        if (spec.kind() != BarSpec.Kind.IO) {
            throw new HwException(HwException.ENXIO, slot.name + ": BAR" + bar + " is a memory BAR; use mmio(" + bar + ")");
        }
        grant("ioport", slot.name + " BAR" + bar, 0, spec.size());
        return new PioWindow(this, slot.device, bar, (int) spec.size());
    }

    private BarSpec bar(int bar, String kind) {
        return slot.device.bars().stream().filter(b -> b.index() == bar).findFirst()
                .orElseThrow(() -> new HwException(HwException.ENXIO, slot.name + " has no " + kind + " BAR" + bar));
    }

    @Override
    public int msixVectors() {
        return msix.map(MsixControl::vectors).orElse(0);
    }

    @Override
    public synchronized Irq irq(int vector, IrqHandler handler) {
        if (!live()) {
            throw new HwException(HwException.ENODEV, slot.name + " is gone");
        }
        boolean intx = vector == Irq.INTX;
        if (slot.device.configReadOnly()) {
            throw new HwException(HwException.ENXIO, slot.name + ": only its config space is granted (read-only), no interrupts");
        }
        if (intx && !slot.platform() && slot.device.configRead(PciConfigSpace.INTERRUPT_PIN, 1) == 0) {
            throw new HwException(HwException.ENXIO, slot.name + " has no INTx pin");
        }
        if (!intx && (vector < 0 || vector >= msixVectors())) {
            throw new HwException(HwException.ENXIO, slot.name + " has no MSI-X vector " + vector + " (it has " + msixVectors() + ")");
        }
        grant("irq", slot.name + (intx ? " INTx" : " vector " + vector), Math.max(vector, 0), 1);
        boolean otherKind = irqs.stream().anyMatch(l -> (l.vector() == Irq.INTX) != intx);
        if (otherKind) {
            throw new HwException(HwException.EBUSY, slot.name + ": " + (intx ? "MSI-X vectors are" : "INTx is") + " in use; a device uses one or the other");
        }
        IrqLine[] made = new IrqLine[1];
        made[0] = new IrqLine(slot.name, vector, handler, intx ? slot::intxAsserted : null, this::warn, () -> {
            slot.removeLine(made[0]);
            irqs.remove(made[0]);
        });
        if (!slot.addLine(made[0])) {
            made[0].free();
            throw new HwException(HwException.EBUSY, slot.name + ": " + (intx ? "INTx" : "vector " + vector) + " is already requested");
        }
        irqs.add(made[0]);
        if (!intx && !msixOn) {
            msix.get().enable();
            msixOn = true;
        }
        if (intx && slot.intxAsserted()) {
            made[0].raise();
        }
        return made[0];
    }

    /** The device's DMA, granted once per binding (each buffer is accounted to the module's kmem). */
    @Override
    public Dma dma() {
        if (!dmaGranted) {
            grant("dma", slot.name, 0, 0);
            dmaGranted = true;
        }
        return dma;
    }
}

package dev.jdm.host.hw;

import dev.jdm.abi.hw.Irq;
import dev.jdm.hw.alias.Modalias;
import dev.jdm.hw.emu.BoardPort;
import dev.jdm.hw.emu.DmaFault;
import dev.jdm.hw.emu.EmulatedDevice;
import dev.jdm.hw.emu.PciIdentity;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A place on the board holding one device: its name, modalias, DMA map and interrupt lines, and
 * which driver holds it. It is the device's {@link BoardPort}. The lock serialises probe and
 * remove of the device, as Linux's device lock does.
 */
final class Slot implements BoardPort {
    final String name;
    final EmulatedDevices.Made made;
    final EmulatedDevice device;
    final String modalias;
    final DmaMap dma = new DmaMap();
    final ReentrantLock lock = new ReentrantLock();
    private final Map<Integer, IrqLine> lines = new ConcurrentHashMap<>();
    private final AtomicLong unrouted = new AtomicLong();
    private volatile boolean present = true;
    private volatile boolean intxAsserted;
    /** Guarded by the board: the driver that claimed this slot, and its binding once probed. */
    DriverRegistration driver;
    BoundDevice bound;

    Slot(String name, EmulatedDevices.Made made) {
        this.name = name;
        this.made = made;
        this.device = made.device();
        PciIdentity id = device.identity();
        this.modalias = device.platformName() != null ? "platform:" + device.platformName()
                : Modalias.pci(id.vendor(), id.device(), id.subsystemVendor(), id.subsystemDevice(), id.classCode());
    }

    boolean platform() {
        return device.platformName() != null;
    }

    boolean present() {
        return present;
    }

    void gone() {
        present = false;
    }

    @Override
    public MemorySegment dma(long busAddress, long length) {
        if (!present) {
            throw new DmaFault(name + " has been removed");
        }
        return dma.resolve(busAddress, length);
    }

    @Override
    public void msix(int vector) {
        route(vector);
    }

    @Override
    public void intx(boolean asserted) {
        intxAsserted = asserted;
        if (asserted) {
            route(Irq.INTX);
        }
    }

    boolean intxAsserted() {
        return intxAsserted;
    }

    private void route(int vector) {
        IrqLine line = lines.get(vector);
        if (line == null) {
            unrouted.incrementAndGet(); // an interrupt nobody requested: counted, as /proc/interrupts' ERR
        } else {
            line.raise();
        }
    }

    /** The raise-to-handler delays sampled on every requested vector, in nanoseconds. */
    long[] interruptLatencies() {
        return lines.values().stream().flatMapToLong(l -> java.util.Arrays.stream(l.latencies())).toArray();
    }

    /** Interrupts raised on vectors no driver requested. */
    long unrouted() {
        return unrouted.get();
    }

    /** Installs {@code line}; false if its vector is taken. */
    boolean addLine(IrqLine line) {
        return lines.putIfAbsent(line.vector(), line) == null;
    }

    void removeLine(IrqLine line) {
        lines.remove(line.vector(), line);
    }
}

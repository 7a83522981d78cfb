package dev.jdm.hw.emu.virtio;

import static dev.jdm.hw.emu.virtio.VirtioPci.*;

import dev.jdm.hw.emu.BoardPort;
import dev.jdm.hw.emu.DmaFault;
import dev.jdm.hw.emu.Faults;
import dev.jdm.hw.emu.PciConfigSpace;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The virtio-pci transport of one function with one split virtqueue (virtio 1.2 §4.1): config
 * space with its capabilities and the PCI configuration access window, BAR 0's structures, the
 * interrupts, and the hand-off to the device type's workers, which serve chains concurrently and
 * return them in any order (§2.7.8).
 *
 * <p>Registers, the rings and the interrupts are guarded by one lock. A request's data moves
 * outside it, in {@link #copy}, so copies of different requests overlap. A copy holds the DMA gate
 * shared, and goes on only while the request's reset epoch is the one DMA is allowed in
 * ({@code dmaEpoch}: the device plugged, bus mastering on, no reset pending and no
 * DEVICE_NEEDS_RESET), which the lock's holder updates with every change. A reset, unplug, or
 * bus mastering turned off takes the gate exclusively after that update, so when device_status
 * reads back 0, {@code unplug()} returns or the command write returns, no worker is touching DMA
 * memory.
 */
final class VirtioPciFunction implements CommonConfig.Listener {
    /** A chain taken off the queue, with the reset epoch it belongs to, the negotiated features and the board. */
    record Taken(long epoch, DescriptorChain chain, long features, BoardPort port) {
    }

    /** A worker's DMA outside the function's lock: a copy between the backing and the driver's buffers. */
    @FunctionalInterface
    interface Copy {
        void run(BoardPort port) throws IOException;
    }

    private static final System.Logger LOG = System.getLogger(VirtioPciFunction.class.getName());
    private static final int CONFIG_SPACE = 4096;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled on every change a waiting request may be waiting for: bus mastering, reset, unplug, a kick. */
    private final Condition wake = lock.newCondition();
    /** Idle workers wait here; a kick wakes one, and a worker that leaves more chains wakes the next. */
    private final Condition work = lock.newCondition();
    /** Held shared by each copy; reset and unplug take it exclusively to wait out the copies in progress. */
    private final ReentrantReadWriteLock dmaGate = new ReentrantReadWriteLock();
    private final PciConfigSpace cfg;
    private final VirtioCapabilities.Offsets caps;
    private final MsixTable msix;
    private final InterruptRouter irq;
    private final CommonConfig common;
    private final DeviceConfigSpace deviceConfig;
    private final Function<VirtioPciFunction, Runnable> workerFactory;
    private final int workerCount;
    /**
     * Whether the writer of a kick serves it before the write returns (the device asked for inline
     * kicks): then a kick wakes no worker, which would only race the writer for the chain, unless
     * a delay fault is armed; the workers also serve what a state change (bus mastering back on, a
     * resume) leaves on the ring.
     */
    private final boolean writerServesKicks;
    private final Faults faults;
    private final String name;
    private final List<Thread> workers = new ArrayList<>();
    private BoardPort port;
    private boolean removed;
    private long epoch;
    /** The epoch DMA may go on in, or -1 while none may; written under the lock, read by copies without it. */
    private volatile long dmaEpoch = -1;

    /** {@code workerCount} workers, each made by {@code workerFactory}, serve the queue once plugged. */
    VirtioPciFunction(PciConfigSpace cfg, long features, int vectors, Faults faults, DeviceConfigSpace deviceConfig,
            Function<VirtioPciFunction, Runnable> workerFactory, int workerCount, boolean writerServesKicks, String name) {
        if (workerCount < 1) {
            throw new IllegalArgumentException(name + ": a device needs at least 1 worker, not " + workerCount);
        }
        this.cfg = cfg;
        this.caps = VirtioCapabilities.install(cfg, vectors);
        this.msix = new MsixTable(cfg, caps.msix(), vectors);
        this.irq = new InterruptRouter(cfg, msix, faults);
        this.common = new CommonConfig(features, vectors, faults, this);
        this.deviceConfig = deviceConfig;
        this.workerFactory = workerFactory;
        this.workerCount = workerCount;
        this.writerServesKicks = writerServesKicks;
        this.faults = faults;
        this.name = name;
    }

    int configRead(int offset, int size) {
        if (!validConfig(offset, size)) {
            return (int) Le.ones(size);
        }
        lock.lock();
        try {
            if (removed) {
                return (int) Le.ones(size);
            }
            if (inPciCfgData(offset, size)) {
                pciCfgAccess(false);
            }
            return cfg.read(offset, size);
        } finally {
            lock.unlock();
        }
    }

    void configWrite(int offset, int size, int value) {
        if (!validConfig(offset, size)) {
            return;
        }
        lock.lock();
        try {
            if (removed) {
                return;
            }
            boolean mastering = busMaster();
            int command = cfg.command();
            long control = cfg.get(caps.msix() + VirtioCapabilities.MSIX_CONTROL, 2);
            cfg.write(offset, size, value);
            if (inPciCfgData(offset, size)) {
                pciCfgAccess(true);
            }
            dmaChanged();
            if (mastering && !busMaster()) {
                awaitCopies(); // bus mastering off: no DMA once the write is done
            }
            if (cfg.command() != command || cfg.get(caps.msix() + VirtioCapabilities.MSIX_CONTROL, 2) != control) {
                // INTx disable, MSI-X enable and the function mask reroute interrupts; bus mastering lets DMA go on
                irq.sync(port);
                msix.deliverPending(port);
                signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    long barRead(int bar, long offset, int size) {
        if (bar != 0 || !validBar(offset, size)) {
            return Le.ones(size);
        }
        lock.lock();
        try {
            return removed || !decodes() ? Le.ones(size) : read(offset, size);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A BAR write; for a kick that the writer is to serve after the call, how many chains it
     * serves: those available when it rang, so that what other submitters publish meanwhile is left
     * to their own kicks and each copy stays on its submitter's core. The writer serves kicks when
     * the device asked for inline kicks and no delay fault is armed (a device that answers late
     * does so from its workers, not by holding the writer inside its register write). 0 otherwise.
     */
    int barWrite(int bar, long offset, int size, long value) {
        if (bar != 0 || !validBar(offset, size)) {
            return 0;
        }
        lock.lock();
        try {
            if (removed || !decodes()) {
                return 0;
            }
            int serve = write(offset, size, value);
            dmaChanged(); // a write of device_status may have started a reset
            return serve;
        } finally {
            lock.unlock();
        }
    }

    void plug(BoardPort board) {
        Objects.requireNonNull(board, "port");
        lock.lock();
        try {
            if (removed) {
                throw new IllegalStateException(name + " was unplugged; a removed device is not plugged again, create a new one");
            }
            if (port != null) {
                throw new IllegalStateException(name + " is already plugged");
            }
            port = board;
            for (int i = 0; i < workerCount; i++) {
                Thread w = Thread.ofPlatform().name(workerCount == 1 ? name : name + " worker " + i).daemon()
                        .unstarted(workerFactory.apply(this));
                workers.add(w);
                w.start();
            }
        } finally {
            lock.unlock();
        }
    }

    void unplug() {
        List<Thread> ws;
        lock.lock();
        try {
            if (removed) {
                return;
            }
            removed = true;
            epoch++;
            port = null;
            dmaChanged();
            ws = List.copyOf(workers);
            workers.clear();
            signalAll();
        } finally {
            lock.unlock();
        }
        // no copy starts now; wait out those in progress, then the workers (each at most in one backing call)
        awaitCopies();
        if (lock.isHeldByCurrentThread()) {
            return; // unplugged from inside the board's msix or intx, on a worker: the others may be waiting for the lock
        }
        for (Thread w : ws) {
            if (w != Thread.currentThread()) {
                joinUninterruptibly(w);
            }
        }
    }

    // ---- the workers' side: each call takes the lock, and returns false or null once the request is cut off

    /** Waits for the next chain to serve; null once the device is unplugged. */
    Taken next() throws InterruptedException {
        return take(true);
    }

    /** The next chain to serve if one is available now; null if none is (or the device is unplugged). */
    Taken poll() {
        try {
            return take(false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private Taken take(boolean wait) throws InterruptedException {
        lock.lock();
        try {
            while (!removed) {
                if (serving()) {
                    try {
                        SplitVirtqueue q = common.queue();
                        int n = q.available(port);
                        if (n > 0) {
                            Taken t = new Taken(epoch, q.take(port), common.driverFeatures(), port);
                            if (n > 1 && wait) {
                                work.signal(); // the rest for another worker
                            }
                            return t;
                        }
                    } catch (VirtqueueException | DmaFault e) {
                        needsReset(e.getMessage());
                        continue;
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.ERROR, name + ": reading the available ring broke the device model", e);
                        needsReset("internal error reading the available ring: " + e);
                        continue;
                    }
                }
                if (!wait) {
                    return null;
                }
                work.await();
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code op}'s DMA for request {@code t} without the function's lock, waiting first for
     * bus mastering if it is off. False if the request was cut off, before the copy or by a
     * {@link DmaFault} in it, which sets DEVICE_NEEDS_RESET. The backing's {@link IOException}
     * passes through.
     */
    boolean copy(Taken t, Copy op) throws IOException, InterruptedException {
        dmaGate.readLock().lock();
        if (dmaEpoch != t.epoch()) {
            dmaGate.readLock().unlock();
            lock.lock();
            try {
                if (!awaitDma(t)) {
                    return false;
                }
                dmaGate.readLock().lock(); // under the lock, so whoever cuts DMA off next waits for this copy
            } finally {
                lock.unlock();
            }
        }
        // the gate is held and DMA was allowed in t's epoch when it was taken: whoever ends that waits for the gate
        DmaFault fault;
        try {
            op.run(t.port());
            return true;
        } catch (DmaFault e) {
            fault = e;
        } finally {
            dmaGate.readLock().unlock();
        }
        fail(t, fault.getMessage());
        return false;
    }

    /** Waits {@code micros} before completing {@code t} (the delay fault); false if it was cut off meanwhile. */
    boolean pause(Taken t, long micros) throws InterruptedException {
        if (micros == 0) {
            return true; // complete() checks the epoch anyway
        }
        long nanos = TimeUnit.MICROSECONDS.toNanos(micros);
        lock.lock();
        try {
            while (nanos > 0 && live(t)) {
                nanos = wake.awaitNanos(nanos);
            }
            return live(t);
        } finally {
            lock.unlock();
        }
    }

    /** Completes {@code t}: {@code last}'s DMA (the status byte), the used element, then the notification. */
    void complete(Taken t, long usedLength, Consumer<BoardPort> last) throws InterruptedException {
        lock.lock();
        try {
            if (!awaitDma(t)) {
                return;
            }
            last.accept(port);
            SplitVirtqueue q = common.queue();
            if (q.putUsed(port, t.chain().head(), usedLength)) {
                irq.queue(port, q.msixVector());
            }
        } catch (DmaFault e) {
            needsReset(e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    /** Gives up on the queue over {@code t}, which cannot even carry a status (§2.1.2). */
    void fail(Taken t, String reason) {
        lock.lock();
        try {
            if (live(t)) {
                needsReset(reason);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void resetDone() {
        epoch++;
        dmaChanged();
        // the epoch cuts every request off; a copy already started ends before device_status reads 0
        awaitCopies();
        irq.reset(port);
        signalAll();
    }

    @Override
    public void changed() {
        dmaChanged();
        signalAll();
    }

    /** After any change to what {@link #live} and bus mastering depend on: lets copies see it. Under the lock. */
    private void dmaChanged() {
        dmaEpoch = !removed && busMaster() && common.healthy() ? epoch : -1;
    }

    /**
     * Returns once no copy is in progress; no new one may start meanwhile (the caller has cut them
     * off). A backing that resets or unplugs the device from inside its own copy is not waited for.
     */
    private void awaitCopies() {
        if (dmaGate.getReadHoldCount() > 0) {
            return;
        }
        dmaGate.writeLock().lock();
        dmaGate.writeLock().unlock();
    }

    private void signalAll() {
        wake.signalAll();
        work.signalAll();
    }

    // ---- under the lock

    private boolean live(Taken t) {
        return !removed && t.epoch() == epoch && common.healthy();
    }

    private boolean awaitDma(Taken t) throws InterruptedException {
        while (live(t) && !busMaster()) {
            wake.await();
        }
        return live(t);
    }

    private void needsReset(String reason) {
        LOG.log(System.Logger.Level.WARNING, "{0}: DEVICE_NEEDS_RESET: {1}; the driver has to reset the device", name, reason);
        boolean tell = common.markNeedsReset();
        dmaChanged();
        if (tell) {
            irq.config(port, common.configVector());
        }
    }

    private long read(long offset, int size) {
        if (in(offset, COMMON_CFG, COMMON_CFG_LENGTH)) {
            return common.read((int) (offset - COMMON_CFG), size);
        }
        if (offset == ISR_CFG) {
            return irq.readIsr(port);
        }
        if (in(offset, DEVICE_CFG, DEVICE_CFG_LENGTH)) {
            return deviceConfig.read(offset - DEVICE_CFG, size);
        }
        if (in(offset, MSIX_TABLE, MSIX_TABLE_LENGTH)) {
            return msix.readTable(offset - MSIX_TABLE, size);
        }
        if (in(offset, MSIX_PBA, MSIX_PBA_LENGTH)) {
            return msix.readPba(offset - MSIX_PBA, size);
        }
        return 0;
    }

    /** Under the lock; for a kick the writer serves, how many chains (see {@link #barWrite}). */
    private int write(long offset, int size, long value) {
        if (in(offset, COMMON_CFG, COMMON_CFG_LENGTH)) {
            common.write((int) (offset - COMMON_CFG), size, value);
        } else if (offset == NOTIFY_CFG && (value & 0xffff) == 0) {
            // queue 0's notify address: queue_notify_off 0 times the multiplier; the value is the queue index
            if (writerServesKicks && faults.delayMicros() == 0) {
                return availableNow();
            }
            work.signal();
        } else if (in(offset, MSIX_TABLE, MSIX_TABLE_LENGTH) && msix.writeTable(offset - MSIX_TABLE, size, value)) {
            msix.deliverPending(port);
        }
        return 0;
    }

    /** Under the lock: whether chains are taken off the ring now (plugged, bus mastering on, the queue running). */
    private boolean serving() {
        return port != null && busMaster() && common.running();
    }

    /**
     * Under the lock: the chains on the available ring now, or 1 if reading it fails, so that the
     * writer's take meets the error and sets NEEDS_RESET as a worker's would.
     */
    private int availableNow() {
        if (!serving()) {
            return 0; // served once bus mastering or the queue comes up, by the workers that wakes
        }
        try {
            return common.queue().available(port);
        } catch (VirtqueueException | RuntimeException e) {
            return 1;
        }
    }

    /**
     * The PCI configuration access capability (§4.1.4.9): a read or write of pci_cfg_data is a BAR
     * access of cap.length bytes at cap.offset of cap.bar. A window that is not 1, 2 or 4 bytes,
     * aligned, inside BAR 0 does nothing.
     */
    private void pciCfgAccess(boolean write) {
        int at = caps.pciCfg();
        long bar = cfg.get(at + VirtioCapabilities.BAR, 1);
        long offset = cfg.get(at + VirtioCapabilities.OFFSET, 4);
        int length = (int) cfg.get(at + VirtioCapabilities.LENGTH, 4);
        if (bar != 0 || (length != 1 && length != 2 && length != 4) || offset % length != 0 || offset + length > BAR0_SIZE) {
            return;
        }
        int data = at + VirtioCapabilities.PCI_CFG_DATA;
        if (write) {
            write(offset, length, cfg.get(data, length));
        } else {
            cfg.put(data, length, read(offset, length));
        }
    }

    private boolean inPciCfgData(int offset, int size) {
        int data = caps.pciCfg() + VirtioCapabilities.PCI_CFG_DATA;
        return offset < data + 4 && offset + size > data;
    }

    private boolean decodes() {
        return (cfg.command() & PciConfigSpace.COMMAND_MEMORY) != 0;
    }

    private boolean busMaster() {
        return (cfg.command() & PciConfigSpace.COMMAND_BUS_MASTER) != 0;
    }

    private static boolean in(long offset, long base, long length) {
        return offset >= base && offset < base + length;
    }

    private static boolean validConfig(int offset, int size) {
        return (size == 1 || size == 2 || size == 4) && offset >= 0 && offset <= CONFIG_SPACE - size && offset % size == 0;
    }

    private static boolean validBar(long offset, int size) {
        return (size == 1 || size == 2 || size == 4 || size == 8) && offset >= 0 && offset <= BAR0_SIZE - size;
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

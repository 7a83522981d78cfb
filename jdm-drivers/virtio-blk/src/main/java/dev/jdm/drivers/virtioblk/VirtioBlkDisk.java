package dev.jdm.drivers.virtioblk;

import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.blk.BlockBatch;
import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.abi.hw.DmaBuffer;
import dev.jdm.abi.hw.DmaPool;
import dev.jdm.abi.hw.HwBinding;
import dev.jdm.abi.hw.HwDevice;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.Irq;
import dev.jdm.abi.hw.IrqResult;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One bound virtio-blk device and its LU (virtio 1.2 §5.2). Each block request becomes one or more
 * virtio requests on queue 0: a header, the data (the request's own memory, mapped for streaming
 * DMA), and a status byte. A batch is put on the ring and the device notified once. Completions
 * are reaped by the submitter right after its notify (what a device that serves kicks at once has
 * finished) and otherwise in the queue's interrupt handler, which the host also polls every 50 ms,
 * so a lost interrupt delays requests instead of hanging them. A device that signals NEEDS_RESET is
 * reset and set up again, and the requests it held fail with EIO.
 */
final class VirtioBlkDisk implements HwBinding {
    private static final long VERSION_1 = 1L << 32;
    private static final long F_SEG_MAX = 1 << 2, F_RO = 1 << 5, F_BLK_SIZE = 1 << 6, F_FLUSH = 1 << 9, F_DISCARD = 1 << 13,
            F_WRITE_ZEROES = 1 << 14;
    private static final long WANTED = VERSION_1 | F_SEG_MAX | F_RO | F_BLK_SIZE | F_FLUSH | F_DISCARD | F_WRITE_ZEROES;
    private static final int T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8, T_DISCARD = 11, T_WRITE_ZEROES = 13;
    private static final int S_OK = 0, S_UNSUPP = 2;
    private static final int SECTOR = 512, MAX_QUEUE = 256, CONFIG_VECTOR = 0, QUEUE_VECTOR = 1;
    private static final long RESET_TIMEOUT_MS = 1000, POLL_MS = 50;
    /** A pool block: the 16-byte header, a 16-byte discard/write-zeroes segment, then the status byte. */
    private static final int HEADER = 0, SEGMENT = 16, STATUS = 32, BLOCK = 48;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ModuleContext ctx;
    private final HwDevice dev;
    private final String lu;
    private final Runnable onRemoved;
    private final VirtioPci pci;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Cmd> waiting = new ArrayDeque<>();
    private final List<Irq> irqs = new ArrayList<>();
    private final DmaPool blocks;
    private final boolean msix;
    private Virtqueue vq;
    private Cmd[] byHead;
    private long notifyOffset;
    private long features;
    private long maxDiscardSectors;
    private long maxZeroesSectors;
    private boolean zeroesMayUnmap;
    private BlockDevice device;
    private volatile boolean dead;
    /** Submitters between their notify and their reap; while there are any, the device's interrupts are off. Under the lock. */
    private int polling;
    /** Whether a submitter reaped since the last interrupt, which then found its work done rather than none. Under the lock. */
    private boolean reapedByPoller;

    /** One block request's progress: how many of its virtio requests are out, and its first error. */
    private static final class Parent {
        final BlockRequest request;
        int remaining;
        int status = BlockStatus.OK;

        Parent(BlockRequest request, int parts) {
            this.request = request;
            this.remaining = parts;
        }
    }

    /** One virtio request: its pool block, the data's mapping, and the request it is part of. */
    private static final class Cmd {
        final Parent parent;
        final int type;
        final long sector;
        final long sectors;
        DmaBuffer block;
        DmaBuffer data;
        boolean bounced;
        boolean finished;

        Cmd(Parent parent, int type, long sector, long sectors) {
            this.parent = parent;
            this.type = type;
            this.sector = sector;
            this.sectors = sectors;
        }
    }

    /** A finished block request, completed after the lock is let go. */
    private record Done(BlockRequest request, int status) {}

    VirtioBlkDisk(ModuleContext ctx, HwDevice dev, String lu, Runnable onRemoved) {
        this.ctx = ctx;
        this.dev = dev;
        this.lu = lu;
        this.onRemoved = onRemoved;
        int command = dev.config().read(4, 2);
        dev.config().write(4, 2, command | 0x6); // memory decode and bus mastering
        this.pci = new VirtioPci(dev);
        this.blocks = dev.dma().pool(BLOCK, 16);
        this.msix = dev.msixVectors() >= 2;
        try {
            Irq queue;
            if (msix) {
                irqs.add(dev.irq(CONFIG_VECTOR, v -> configChanged()));
                queue = dev.irq(QUEUE_VECTOR, v -> reapAndRefill() ? IrqResult.HANDLED : IrqResult.NONE);
            } else {
                queue = dev.irq(Irq.INTX, v -> intx());
            }
            irqs.add(queue);
            queue.poll(POLL_MS);
            lock.lock();
            try {
                start();
            } finally {
                lock.unlock();
            }
            String serial = readSerial();
            long capacity = pci.deviceConfig(c -> c.u64(0));
            int blkSize = (features & F_BLK_SIZE) != 0 ? pci.deviceConfig(c -> c.u32(20)) : SECTOR;
            int caps = ((features & F_RO) != 0 ? BlockDevice.READ_ONLY : 0) | ((features & F_FLUSH) != 0 ? BlockDevice.FLUSH : 0)
                    | ((features & F_DISCARD) != 0 ? BlockDevice.DISCARD : 0) | ((features & F_WRITE_ZEROES) != 0 ? BlockDevice.WRITE_ZEROES : 0);
            this.device = ctx.block().device(lu).size(capacity * SECTOR).logicalBlockSize(SECTOR)
                    .physicalBlockSize(blkSize >= SECTOR && blkSize <= 4096 && Integer.bitCount(blkSize) == 1 ? blkSize : SECTOR)
                    .capabilities(caps).registerQueue(this::submit);
            ctx.log().info(dev.name() + ": " + lu + ", " + capacity * SECTOR / (1 << 20) + " MiB, serial '" + serial + "', queue of " + vq.size()
                    + ", " + (msix ? "MSI-X" : "INTx") + ", features 0x" + Long.toHexString(features));
        } catch (RuntimeException e) {
            pci.fail();
            release();
            throw e;
        }
    }

    /** Device initialisation, §3.1.1: reset, acknowledge, negotiate, set the queue up, go. Under the lock. */
    private void start() {
        pci.reset(RESET_TIMEOUT_MS);
        pci.addStatus(VirtioPci.ACKNOWLEDGE | VirtioPci.DRIVER);
        int status = pci.status();
        if ((status & (VirtioPci.ACKNOWLEDGE | VirtioPci.DRIVER)) != (VirtioPci.ACKNOWLEDGE | VirtioPci.DRIVER)) {
            throw new HwException(HwException.EIO, dev.name() + ": the device does not take status writes (status 0x" + Integer.toHexString(status)
                    + " after ACKNOWLEDGE|DRIVER): it is stuck or not there");
        }
        long offered = pci.deviceFeatures();
        if ((offered & VERSION_1) == 0) {
            throw new HwException(HwException.ENODEV, dev.name() + ": the device does not offer VIRTIO_F_VERSION_1 (a legacy device)");
        }
        features = offered & WANTED;
        pci.driverFeatures(features);
        pci.addStatus(VirtioPci.FEATURES_OK);
        if ((pci.status() & VirtioPci.FEATURES_OK) == 0) {
            throw new HwException(HwException.ENODEV, dev.name() + ": the device refused features 0x" + Long.toHexString(features));
        }
        maxDiscardSectors = (features & F_DISCARD) != 0 ? Math.max(1, pci.deviceConfig(c -> c.u32(36)) & 0xffffffffL) : 0;
        maxZeroesSectors = (features & F_WRITE_ZEROES) != 0 ? Math.max(1, pci.deviceConfig(c -> c.u32(48)) & 0xffffffffL) : 0;
        zeroesMayUnmap = (features & F_WRITE_ZEROES) != 0 && pci.deviceConfig(c -> c.u8(56)) != 0;
        if (pci.numQueues() < 1 || pci.queueMaxSize(0) < 2) {
            throw new HwException(HwException.ENODEV, dev.name() + ": the device has no usable request queue");
        }
        int size = Integer.highestOneBit(Math.min(MAX_QUEUE, pci.queueMaxSize(0)));
        vq = new Virtqueue(dev.dma(), pci.notifyWindow(), size);
        byHead = new Cmd[size];
        int configVector = pci.configVector(msix ? CONFIG_VECTOR : VirtioPci.NO_VECTOR);
        int queueVector = pci.enableQueue(0, size, vq.descAddress(), vq.availAddress(), vq.usedAddress(), msix ? QUEUE_VECTOR : VirtioPci.NO_VECTOR);
        if (msix && (configVector != CONFIG_VECTOR || queueVector != QUEUE_VECTOR)) {
            throw new HwException(HwException.EIO, dev.name() + ": the device could not take its MSI-X vectors");
        }
        notifyOffset = pci.notifyOffset(0);
        pci.addStatus(VirtioPci.DRIVER_OK);
    }

    /** GET_ID, polled before the LU exists: the device's serial, or "" if it gives none. */
    private String readSerial() {
        DmaBuffer id = dev.dma().coherent(20);
        try {
            Cmd c = new Cmd(null, T_GET_ID, 0, 0);
            c.data = id;
            long deadline = System.nanoTime() + 1_000_000_000L;
            lock.lock();
            try {
                if (!issue(c)) {
                    return "";
                }
                kick();
                while (!c.finished) {
                    if (System.nanoTime() > deadline) {
                        return "";
                    }
                    reapLocked(new ArrayList<>());
                    Thread.onSpinWait();
                }
            } finally {
                lock.unlock();
            }
            byte[] b = id.memory().toArray(ValueLayout.JAVA_BYTE);
            int n = 0;
            while (n < b.length && b[n] != 0) {
                n++;
            }
            return new String(b, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
        } finally {
            id.close();
        }
    }

    /**
     * Puts the batch on the ring and publishes it under the lock, then notifies the device after
     * letting the lock go, as Linux's virtqueue_kick_prepare and virtqueue_notify are split: a
     * device that serves the kick at once never holds the lock other submitters and the interrupt
     * handler need. Then it reaps, see {@link #reapAfterKick}.
     */
    private void submit(BlockBatch batch) {
        List<Done> done = new ArrayList<>();
        long notify = -1;
        lock.lock();
        try {
            for (int i = 0, n = batch.size(); i < n; i++) {
                BlockRequest r = batch.get(i);
                if (dead) {
                    done.add(new Done(r, BlockStatus.ENODEV));
                    continue;
                }
                split(r, done);
            }
            if (!dead) {
                vq.publish();
                notify = notifyOffset;
                if (polling++ == 0) {
                    vq.interrupts(false);
                }
            }
        } finally {
            lock.unlock();
        }
        try {
            if (notify >= 0) {
                try {
                    ring(notify);
                } finally {
                    reapAfterKick(done);
                }
            }
        } finally {
            complete(done); // also when a notify throws: done may hold other submitters' requests, reaped here
        }
    }

    /**
     * Reaps the used ring right after a notify, as blk-mq's polled queues do: a device that served
     * the kick before the notify returned has finished the batch already, and it completes in the
     * submitting thread with no interrupt and no hand-off. While any submitter is between its
     * notify and this reap the device is asked not to interrupt, since that submitter will reap;
     * the last one out asks for interrupts again and reaps once more, so nothing the device
     * finished meanwhile is left waiting. What is still out then completes on the interrupt.
     */
    private void reapAfterKick(List<Done> done) {
        long notify = -1;
        lock.lock();
        try {
            if (vq == null || dead) {
                polling--;
                return; // being removed, or the device could not be set up again: remove() and the reset fail what was out
            }
            boolean any;
            try {
                any = reapLocked(done);
            } finally {
                if (--polling == 0) {
                    vq.interrupts(true);
                }
            }
            any |= polling == 0 && reapLocked(done);
            reapedByPoller |= any;
            notify = refillLocked() ? notifyOffset : -1;
        } finally {
            lock.unlock();
        }
        ring(notify);
    }

    /** Notifies the device at {@code notify} (taken under the lock), unless it is -1: nothing new on the ring. */
    private void ring(long notify) {
        if (notify >= 0) {
            pci.notifyQueue(notify, 0);
        }
    }

    /**
     * Turns a block request into virtio requests and queues them (on the ring while it has room).
     * A discard or write-zeroes longer than the device takes in one request is split.
     */
    private void split(BlockRequest r, List<Done> done) {
        long sector = r.offset() / SECTOR;
        long sectors = r.length() / SECTOR;
        switch (r.op()) {
            case READ -> enqueue(new Cmd(new Parent(r, 1), T_IN, sector, sectors));
            case WRITE -> enqueue(new Cmd(new Parent(r, 1), T_OUT, sector, sectors));
            case FLUSH -> enqueue(new Cmd(new Parent(r, 1), T_FLUSH, 0, 0));
            case DISCARD, WRITE_ZEROES -> {
                boolean zero = r.op() == BlockOp.WRITE_ZEROES;
                long max = zero ? maxZeroesSectors : maxDiscardSectors;
                if (sectors == 0) {
                    done.add(new Done(r, BlockStatus.OK));
                    return;
                }
                Parent p = new Parent(r, (int) ((sectors + max - 1) / max));
                for (long s = 0; s < sectors; s += max) {
                    enqueue(new Cmd(p, zero ? T_WRITE_ZEROES : T_DISCARD, sector + s, Math.min(max, sectors - s)));
                }
            }
        }
    }

    private void enqueue(Cmd c) {
        if (!waiting.isEmpty() || !issue(c)) {
            waiting.add(c);
        }
    }

    /** Puts {@code c} on the ring; false if the ring has no room for it. Under the lock. */
    private boolean issue(Cmd c) {
        if (vq.free() < 3) {
            return false;
        }
        c.block = blocks.allocate();
        var m = c.block.memory();
        m.set(U32, HEADER, c.type);
        m.set(U32, HEADER + 4, 0);
        m.set(U64, HEADER + 8, c.sector);
        m.set(ValueLayout.JAVA_BYTE, STATUS, (byte) 0xff); // a status the device never writes: caught below
        Virtqueue.Part header = new Virtqueue.Part(c.block.busAddress() + HEADER, 16, false);
        Virtqueue.Part status = new Virtqueue.Part(c.block.busAddress() + STATUS, 1, true);
        int head;
        switch (c.type) {
            case T_IN, T_OUT -> {
                c.data = mapData(c);
                head = vq.add(header, new Virtqueue.Part(c.data.busAddress(), (int) c.data.size(), c.type == T_IN), status);
            }
            case T_GET_ID -> head = vq.add(header, new Virtqueue.Part(c.data.busAddress(), 20, true), status);
            case T_DISCARD, T_WRITE_ZEROES -> {
                m.set(U64, SEGMENT, c.sector);
                m.set(U32, SEGMENT + 8, (int) c.sectors);
                boolean unmap = c.type == T_WRITE_ZEROES && zeroesMayUnmap && (c.parent.request.flags() & BlockRequest.NO_UNMAP) == 0;
                m.set(U32, SEGMENT + 12, unmap ? 1 : 0);
                head = vq.add(header, new Virtqueue.Part(c.block.busAddress() + SEGMENT, 16, false), status);
            }
            default -> head = vq.add(header, status);
        }
        byHead[head] = c;
        return true;
    }

    /** The request's memory mapped for the device, or a bounce buffer if it cannot be mapped (heap memory). */
    private DmaBuffer mapData(Cmd c) {
        var data = c.parent.request.data();
        if (data.isNative()) {
            return dev.dma().map(data);
        }
        DmaBuffer bounce = dev.dma().coherent(data.byteSize());
        if (c.type == T_OUT) {
            bounce.memory().copyFrom(data);
        }
        c.bounced = true;
        return bounce;
    }

    /** Publishes what was added and notifies the device once. Under the lock. */
    private void kick() {
        vq.publish();
        pci.notifyQueue(notifyOffset, 0);
    }

    /**
     * Reaps finished requests, refills the ring from the waiting ones; true if anything finished,
     * here or in a submitter's reap since the last call (an interrupt whose buffers a submitter
     * reaped first was still this device's, and is not counted as one nobody cared about).
     */
    private boolean reapAndRefill() {
        List<Done> done = new ArrayList<>();
        boolean any;
        long notify = -1;
        lock.lock();
        try {
            if (vq == null) {
                return false; // an interrupt or a poll before the queue exists
            }
            any = reapLocked(done) | reapedByPoller;
            reapedByPoller = false;
            notify = refillLocked() ? notifyOffset : -1;
        } finally {
            lock.unlock();
        }
        try {
            ring(notify);
        } finally {
            complete(done);
        }
        return any;
    }

    private boolean reapLocked(List<Done> done) {
        boolean any = false;
        for (Virtqueue.Used u = vq.reap(); u != null; u = vq.reap()) {
            Cmd c = byHead[u.head()];
            byHead[u.head()] = null;
            if (c == null) {
                continue;
            }
            any = true;
            int s = c.block.memory().get(ValueLayout.JAVA_BYTE, STATUS) & 0xff;
            finish(c, s == S_OK ? BlockStatus.OK : s == S_UNSUPP ? BlockStatus.EOPNOTSUPP : BlockStatus.EIO, done);
        }
        return any;
    }

    /** Moves waiting requests onto the ring while it has room and publishes them; true if any were added. Under the lock. */
    private boolean refillLocked() {
        boolean added = false;
        while (!waiting.isEmpty() && !dead && issue(waiting.peek())) {
            waiting.poll();
            added = true;
        }
        if (added) {
            vq.publish();
        }
        return added;
    }

    private void refill() {
        if (refillLocked()) {
            pci.notifyQueue(notifyOffset, 0);
        }
    }

    /** Releases {@code c}'s DMA and, when it was its request's last part, records the request done. */
    private void finish(Cmd c, int status, List<Done> done) {
        if (c.block != null) {
            c.block.close();
        }
        if (c.data != null && c.parent != null) {
            if (c.bounced && c.type == T_IN && status == BlockStatus.OK) {
                c.parent.request.data().copyFrom(c.data.memory());
            }
            c.data.close();
        }
        c.finished = true;
        Parent p = c.parent;
        if (p == null) {
            return;
        }
        if (p.status == BlockStatus.OK) {
            p.status = status;
        }
        if (--p.remaining == 0) {
            done.add(new Done(p.request, p.status));
        }
    }

    private static void complete(List<Done> done) {
        for (Done d : done) {
            try {
                d.request().complete(d.status());
            } catch (IllegalStateException alreadyCompleted) {
                // the block layer timed it out first; its status stands
            }
        }
    }

    /** The INTx handler: reading the ISR deasserts the line. It reaps in any case, since it is also polled. */
    private IrqResult intx() {
        int isr = pci.readIsr();
        if (isr == 0xff) {
            return IrqResult.NONE; // the device is gone: reads are all ones
        }
        if ((isr & 2) != 0) {
            configChanged();
        }
        boolean reaped = reapAndRefill();
        return isr != 0 || reaped ? IrqResult.HANDLED : IrqResult.NONE;
    }

    /** A configuration change: the only one acted on is NEEDS_RESET. */
    private IrqResult configChanged() {
        if ((pci.status() & VirtioPci.NEEDS_RESET) == 0 || dead) {
            return IrqResult.HANDLED;
        }
        ctx.log().err(dev.name() + ": " + lu + ": the device needs a reset; failing its requests in flight with EIO and setting it up again");
        List<Done> done = new ArrayList<>();
        lock.lock();
        try {
            failInFlight(BlockStatus.EIO, done);
            vq.close();
            vq = null; // if start() fails before it has a new one, no later reap touches the closed ring
            start();
            refill();
        } catch (HwException e) {
            ctx.log().err(dev.name() + ": " + lu + ": could not set the device up again: " + e.getMessage());
            dead = true;
            failWaiting(BlockStatus.EIO, done);
        } finally {
            lock.unlock();
        }
        complete(done);
        return IrqResult.HANDLED;
    }

    private void failInFlight(int status, List<Done> done) {
        for (int i = 0; i < byHead.length; i++) {
            Cmd c = byHead[i];
            byHead[i] = null;
            if (c != null) {
                finish(c, status, done);
            }
        }
    }

    private void failWaiting(int status, List<Done> done) {
        for (Cmd c; (c = waiting.poll()) != null;) {
            finish(c, status, done);
        }
    }

    /**
     * Lets go of the device: new requests fail with ENODEV at once; those in flight are given a
     * moment to finish if the device is still there, then the device is reset and what is left
     * fails (ENODEV if the device is gone, EIO if it would not finish). Then the LU goes.
     */
    @Override
    public void remove() {
        dead = true;
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (dev.present() && inFlight() > 0 && System.nanoTime() < deadline) {
            reapAndRefill();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (dev.present()) {
            try {
                pci.reset(RESET_TIMEOUT_MS);
            } catch (HwException e) {
                ctx.log().warn(e.getMessage());
            }
        }
        List<Done> done = new ArrayList<>();
        int status = dev.present() ? BlockStatus.EIO : BlockStatus.ENODEV;
        lock.lock();
        try {
            failInFlight(status, done);
            failWaiting(status, done);
        } finally {
            lock.unlock();
        }
        complete(done);
        if (!done.isEmpty()) {
            ctx.log().warn(dev.name() + ": " + lu + ": " + done.size() + " request(s) failed with " + BlockStatus.name(status) + " at removal");
        }
        if (device != null) {
            device.remove();
        }
        release();
        onRemoved.run();
        ctx.log().info(dev.name() + ": " + lu + " removed");
    }

    private int inFlight() {
        lock.lock();
        try {
            int n = waiting.size();
            for (Cmd c : byHead) {
                n += c != null ? 1 : 0;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    private void release() {
        irqs.forEach(Irq::free);
        irqs.clear();
        lock.lock();
        try {
            if (vq != null) {
                vq.close();
                vq = null;
            }
            blocks.close();
        } finally {
            lock.unlock();
        }
    }
}

package dev.jdm.hw.emu.usb;

import dev.jdm.hw.emu.Faults;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What every emulated USB device shares: the device states and the standard requests of chapter 9
 * (in {@link StandardRequests}), the transfer queues of its endpoints, and the one worker thread per
 * attached device on which transfers complete. A function (CDC-ACM, …) supplies its descriptors,
 * its class requests, and the work of its endpoints in {@link #service}, all under {@link #lock}.
 */
abstract class AbstractUsbDevice implements EmulatedUsbDevice {
    /** The longest the worker sleeps with nothing due, so that a change no one announced is seen in time. */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    final Object lock = new Object();
    final TransferBook book = new TransferBook(); // guarded by lock
    final DeviceDescriptors descriptors;
    final ConfigModel config;
    private final UsbSpeed speed;
    private final Faults faults;
    private final String name;
    private final StandardRequests standard;
    private UsbDeviceState state = UsbDeviceState.DETACHED; // guarded by lock
    private int address; // guarded by lock
    private Thread worker; // guarded by lock
    private boolean stopping; // guarded by lock

    AbstractUsbDevice(String name, UsbSpeed speed, Faults faults, DeviceDescriptors descriptors) {
        this.name = Objects.requireNonNull(name, "name");
        this.speed = Objects.requireNonNull(speed, "speed");
        this.faults = Objects.requireNonNull(faults, "faults");
        this.descriptors = Objects.requireNonNull(descriptors, "descriptors");
        byte[] c = descriptors.configuration(speed, false);
        if (c == null) {
            throw new IllegalArgumentException(name + " has no configuration at " + speed + " speed");
        }
        this.config = ConfigModel.parse(c);
        this.standard = new StandardRequests(this);
    }

    // ---- what a function supplies, each called with lock held ----

    /** A class or vendor request, only in the Configured state. */
    abstract byte[] functionRequest(SetupPacket setup, byte[] outData) throws UsbStall;

    /** The device was reset (attached, or a bus reset): the function returns to its power-on state. */
    abstract void functionReset();

    /** The configuration was selected ({@code true}) or dropped; endpoints are in {@link #book}. */
    abstract void functionConfigured(boolean configured);

    /** On the worker, while configured: moves data and decides transfers; returns when it wants to run next (Long.MAX_VALUE: when woken). */
    abstract long service(long now);

    // ---- and called on the worker with no lock held ----

    /** Work outside the lock before completions are delivered, such as sending to a line. */
    abstract void flush();

    /** Waits up to {@code nanos} for something to happen (0: polls once), or until {@link #wakeFunction}. */
    abstract void idle(long nanos);

    /** Makes a {@link #idle} in progress, or the next, return at once; any thread. */
    abstract void wakeFunction();

    // ---- EmulatedUsbDevice ----

    @Override
    public UsbSpeed speed() {
        return speed;
    }

    @Override
    public UsbDeviceState state() {
        synchronized (lock) {
            return state;
        }
    }

    @Override
    public int address() {
        synchronized (lock) {
            return address;
        }
    }

    @Override
    public Faults faults() {
        return faults;
    }

    @Override
    public byte[] control(SetupPacket setup, byte[] outData) throws UsbTransferException {
        Objects.requireNonNull(setup, "setup");
        byte[] out = setup.isIn() ? null : outData == null ? new byte[0] : outData;
        if (out != null && out.length != setup.wLength()) {
            throw new IllegalArgumentException(setup + ": the OUT data stage has " + out.length + " bytes, wLength says " + setup.wLength());
        }
        synchronized (lock) {
            if (state == UsbDeviceState.DETACHED) {
                throw new UsbTransferException(TransferStatus.NO_DEVICE, name + " is not attached: " + setup + " has no device to answer it");
            }
            byte[] in = switch (setup.type()) {
                case STANDARD -> standard.handle(setup, out);
                case CLASS, VENDOR -> {
                    if (state != UsbDeviceState.CONFIGURED) {
                        throw new UsbStall(setup, "class and vendor requests need the Configured state; the device is " + state);
                    }
                    yield functionRequest(setup, out);
                }
                case RESERVED -> throw new UsbStall(setup, "the request type is reserved");
            };
            wake(); // a request may have halted an endpoint or changed what the function does
            if (!setup.isIn()) {
                return new byte[0];
            }
            return in.length > setup.wLength() ? Arrays.copyOf(in, setup.wLength()) : in;
        }
    }

    @Override
    public void submit(Transfer t) throws UsbTransferException {
        Objects.requireNonNull(t, "transfer");
        synchronized (lock) {
            if (state == UsbDeviceState.DETACHED) {
                throw new UsbTransferException(TransferStatus.NO_DEVICE, name + " is not attached: " + t + " was not queued");
            }
            if (!t.buffer().isAccessibleBy(worker)) {
                throw new IllegalArgumentException(t + ": its buffer is confined to another thread; the device's thread must reach it (use a shared, global or automatic arena)");
            }
            if (!t.begin()) {
                throw new IllegalStateException(t + " is already submitted and has not completed");
            }
            TransferBook.Endpoint e = book.endpoint(t.endpoint());
            if (e == null || e.halted) {
                book.decide(t, TransferStatus.STALL, 0, dueNanos()); // §8.4.5: a halted endpoint, or one that is not there, stalls
            } else {
                t.failing = faults.nextRequestFails();
                e.queue.add(t);
            }
            wake();
        }
    }

    @Override
    public boolean cancel(Transfer t) {
        int moved;
        synchronized (lock) {
            moved = book.remove(t);
        }
        return moved >= 0 && t.complete(TransferStatus.CANCELLED, moved);
    }

    @Override
    public void reset() {
        synchronized (lock) {
            if (state == UsbDeviceState.DETACHED) {
                return;
            }
            unconfigure(TransferStatus.CANCELLED);
            state = UsbDeviceState.DEFAULT;
            address = 0;
            functionReset();
            wake();
        }
    }

    @Override
    public void attach() {
        synchronized (lock) {
            if (state != UsbDeviceState.DETACHED || worker != null) {
                throw new IllegalStateException(name + " is already attached");
            }
            state = UsbDeviceState.DEFAULT;
            address = 0;
            stopping = false;
            functionReset();
            worker = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
            worker.start();
        }
    }

    @Override
    public void detach() {
        Thread w;
        synchronized (lock) {
            w = worker;
            if (w == null) {
                return;
            }
            if (w == Thread.currentThread()) {
                throw new IllegalStateException(name + ": detach from a completion would have the device's thread join itself; detach from another thread");
            }
            if (state == UsbDeviceState.CONFIGURED) {
                functionConfigured(false);
            }
            state = UsbDeviceState.DETACHED;
            address = 0;
            stopping = true; // the worker completes everything NO_DEVICE and ends
            wake();
        }
        boolean interrupted = false;
        while (w.isAlive()) {
            try {
                w.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        synchronized (lock) {
            if (worker == w) {
                worker = null;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name;
    }

    // ---- for StandardRequests and the function, with lock held ----

    UsbDeviceState stateLocked() {
        return state;
    }

    void setAddress(int a) {
        address = a;
        state = a == 0 ? UsbDeviceState.DEFAULT : UsbDeviceState.ADDRESS;
    }

    /** SET_CONFIGURATION(value): 0 drops the configuration, the configuration's value (re)selects it. */
    void setConfiguration(int value) {
        if (value == 0) {
            unconfigure(TransferStatus.CANCELLED);
            state = UsbDeviceState.ADDRESS;
        } else if (state == UsbDeviceState.CONFIGURED) {
            // §9.1.1.5: selecting it again resets the endpoints: halts cleared; queued transfers stay
            for (ConfigModel.EndpointInfo e : config.endpoints()) {
                book.endpoint(e.address()).halted = false;
            }
        } else {
            book.configure(config);
            state = UsbDeviceState.CONFIGURED;
            functionConfigured(true);
        }
    }

    /** When a transfer decided now is to complete: now, plus the delay fault. */
    long dueNanos() {
        return System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(faults.delayMicros());
    }

    private void unconfigure(TransferStatus status) {
        if (state == UsbDeviceState.CONFIGURED) {
            // the host's stack ends what it had queued when it deconfigures or resets a device
            book.unconfigure(status, System.nanoTime());
            functionConfigured(false);
        }
    }

    private void wake() {
        Thread w = worker;
        if (w != null) {
            LockSupport.unpark(w);
        }
        wakeFunction();
    }

    private void run() {
        while (true) {
            List<TransferBook.Decided> ready;
            long wait = 0;
            boolean exit;
            synchronized (lock) {
                exit = stopping;
                if (exit) {
                    ready = book.takeAll(TransferStatus.NO_DEVICE);
                } else {
                    long now = System.nanoTime();
                    long next = state == UsbDeviceState.CONFIGURED ? service(now) : Long.MAX_VALUE;
                    ready = book.takeDue(now);
                    long until = Math.min(next, book.nextDue(now));
                    wait = ready.isEmpty() ? Math.clamp(until == Long.MAX_VALUE ? IDLE_NANOS : until - now, 0, IDLE_NANOS) : 0;
                }
            }
            flush();
            for (TransferBook.Decided d : ready) {
                d.deliver();
            }
            if (exit) {
                return;
            }
            idle(wait);
        }
    }
}

package dev.jdm.drivers.cdcacm;

import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.chr.CharDevice;
import dev.jdm.abi.chr.CharException;
import dev.jdm.abi.chr.CharFile;
import dev.jdm.abi.chr.CharOpen;
import dev.jdm.abi.chr.CharStatus;
import dev.jdm.abi.hw.HwBinding;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.Urb;
import dev.jdm.abi.hw.UsbEndpoint;
import dev.jdm.abi.hw.UsbInterface;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One bound ACM function and its char node. Reads are fed by URBs kept queued on the bulk IN
 * endpoint (each resubmitted from its own completion, as Linux's cdc-acm does); writes go out one
 * bulk OUT URB at a time from a ring; the notification endpoint reports carrier (SERIAL_STATE).
 * Every URB is asynchronous: submit, then completion by callback on the bus's thread.
 */
final class AcmPort implements HwBinding, Acm {
    private static final int SET_LINE_CODING = 0x20, SET_CONTROL_LINE_STATE = 0x22, SERIAL_STATE = 0x20;
    private static final int CLASS_OUT = 0x21, CLASS_IN = 0xa1, DTR = 1, RTS = 2;
    private static final int READ_URBS = 4, READ_SIZE = 512, RING = 16384, WRITE_CHUNK = 4096, MAX_RETRIES = 16;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ModuleContext ctx;
    private final UsbInterface comm;
    private final UsbInterface data;
    private final UsbEndpoint in;
    private final UsbEndpoint out;
    private final UsbEndpoint notify;
    private final Runnable onRemoved;
    private final CharDevice node;
    private final List<Urb> urbs = new ArrayList<>();
    private final MemorySegment writeBuffer;
    private final byte[] rx = new byte[RING];
    private final byte[] tx = new byte[RING];
    private int rxHead, rxCount, txHead, txCount;
    private boolean writing;
    private long received, transmitted, errors;
    private int retries;
    private boolean carrier, dsr;
    private LineCoding coding = new LineCoding(115200, 0, 0, 8);
    private volatile boolean gone;

    AcmPort(ModuleContext ctx, UsbInterface comm, int index, Runnable onRemoved) {
        this.ctx = ctx;
        this.comm = comm;
        this.onRemoved = onRemoved;
        AcmDescriptors.Layout layout = AcmDescriptors.parse(comm.descriptors(), comm.number(), comm.name());
        this.data = comm.claim(layout.dataInterface());
        this.in = data.endpoint(layout.bulkIn());
        this.out = data.endpoint(layout.bulkOut());
        this.notify = layout.notification() >= 0 ? comm.endpoint(layout.notification()) : null;
        this.writeBuffer = ctx.kmem().vmalloc(WRITE_CHUNK);
        try {
            setLineCoding(coding);
            comm.control(CLASS_OUT, SET_CONTROL_LINE_STATE, DTR | RTS, comm.number(), MemorySegment.ofArray(new byte[0]));
            for (int i = 0; i < READ_URBS; i++) {
                new Queued(in, ctx.kmem().vmalloc(4096).asSlice(0, READ_SIZE), true).submit();
            }
            if (notify != null) {
                new Queued(notify, ctx.kmem().vmalloc(4096).asSlice(0, Math.max(16, notify.maxPacketSize())), false).submit();
            }
            this.node = ctx.chr().device("acm" + index).number(166, index).mode(0660).calls(Acm.class, this).register(this::open);
        } catch (RuntimeException e) {
            cancelAll();
            throw e;
        }
        ctx.log().info(comm.name() + ": acm" + index + ", " + String.format("[%04x:%04x]", comm.vendor(), comm.product())
                + ", data interface " + layout.dataInterface() + ", " + READ_URBS + " read URBs queued");
    }

    /** A URB kept queued on an IN endpoint: its buffer, and its resubmission from its own completion. */
    private final class Queued implements dev.jdm.abi.hw.UrbCallback {
        private final UsbEndpoint endpoint;
        private final MemorySegment buffer;
        private final boolean data;

        Queued(UsbEndpoint endpoint, MemorySegment buffer, boolean data) {
            this.endpoint = endpoint;
            this.buffer = buffer;
            this.data = data;
        }

        void submit() {
            synchronized (AcmPort.this) {
                if (gone) {
                    return;
                }
                urbs.add(endpoint.submit(buffer, (int) buffer.byteSize(), this));
            }
        }

        @Override
        public void complete(Urb urb, int status, int actual) {
            boolean again;
            synchronized (AcmPort.this) {
                urbs.remove(urb);
                again = status == 0 ? (data ? received(buffer, actual) : notified(buffer, actual)) : handleError(urb, status);
            }
            if (data && status == 0 && actual > 0) {
                node().wake();
            }
            if (again) {
                try {
                    submit();
                } catch (HwException e) {
                    if (!gone) {
                        ctx.log().warn(comm.name() + ": cannot queue a URB again: " + e.getMessage());
                    }
                }
            }
        }
    }
    private void setLineCoding(LineCoding c) {
        MemorySegment lc = MemorySegment.ofArray(new byte[7]);
        lc.set(U32, 0, c.baud());
        lc.set(ValueLayout.JAVA_BYTE, 4, (byte) c.stopBits());
        lc.set(ValueLayout.JAVA_BYTE, 5, (byte) c.parity());
        lc.set(ValueLayout.JAVA_BYTE, 6, (byte) c.dataBits());
        comm.control(CLASS_OUT, SET_LINE_CODING, 0, comm.number(), lc);
    }

    /** Bulk IN data came: keep it for readers. Under the lock; true to queue the URB again. */
    private boolean received(MemorySegment buf, int actual) {
        retries = 0;
        for (int i = 0; i < actual; i++) {
            if (rxCount == RING) {
                errors++; // the reader fell behind: dropped, as a tty's buffer overflow
                continue;
            }
            rx[(rxHead + rxCount++) % RING] = buf.get(ValueLayout.JAVA_BYTE, i);
            received++;
        }
        return !gone;
    }

    /** A notification came: SERIAL_STATE carries DCD (bit 0) and DSR (bit 1). Under the lock. */
    private boolean notified(MemorySegment b, int actual) {
        if (actual >= 10 && (b.get(ValueLayout.JAVA_BYTE, 0) & 0xff) == CLASS_IN && (b.get(ValueLayout.JAVA_BYTE, 1) & 0xff) == SERIAL_STATE) {
            int state = b.get(ValueLayout.JAVA_BYTE, 8) & 0xff;
            carrier = (state & 1) != 0;
            dsr = (state & 2) != 0;
        }
        return !gone;
    }

    /** An error on a URB: true if it should be submitted again. Under the lock. */
    private boolean handleError(Urb urb, int status) {
        if (status == -HwException.ENOENT || status == -HwException.ENODEV || gone) {
            return false; // cancelled, or the device went: the URB stays down
        }
        errors++;
        if (++retries > MAX_RETRIES) {
            ctx.log().err(comm.name() + ": " + MAX_RETRIES + " URB errors in a row (last " + status + "); the endpoint is left idle");
            return false;
        }
        if (status == -HwException.EPIPE) {
            try {
                urb.endpoint().clearHalt();
            } catch (HwException e) {
                ctx.log().err(comm.name() + ": " + e.getMessage());
                return false;
            }
        }
        return true;
    }

    /** Starts the next bulk OUT URB from the ring, if none is in flight. Under the lock. */
    private void kickWrite() {
        if (writing || txCount == 0 || gone) {
            return;
        }
        int n = Math.min(WRITE_CHUNK, txCount);
        for (int i = 0; i < n; i++) {
            writeBuffer.set(ValueLayout.JAVA_BYTE, i, tx[(txHead + i) % RING]);
        }
        writing = true;
        try {
            urbs.add(out.submit(writeBuffer, n, this::written));
        } catch (HwException e) {
            writing = false;
            errors++;
        }
    }

    private void written(Urb urb, int status, int actual) {
        synchronized (this) {
            urbs.remove(urb);
            writing = false;
            if (status == 0) {
                txHead = (txHead + actual) % RING;
                txCount -= actual;
                transmitted += actual;
            } else if (!handleError(urb, status)) {
                return;
            }
            kickWrite();
        }
        node().wake();
    }

    private CharDevice node() {
        return node;
    }

    private CharFile open(CharOpen open) {
        if (gone) {
            throw new CharException(CharStatus.ENXIO, comm.name() + " is gone");
        }
        return new CharFile() {
            @Override
            public int read(MemorySegment dst) {
                synchronized (AcmPort.this) {
                    if (rxCount == 0) {
                        return gone ? 0 : -CharStatus.EAGAIN;
                    }
                    int n = (int) Math.min(dst.byteSize(), rxCount);
                    for (int i = 0; i < n; i++) {
                        dst.set(ValueLayout.JAVA_BYTE, i, rx[rxHead]);
                        rxHead = (rxHead + 1) % RING;
                    }
                    rxCount -= n;
                    return n;
                }
            }

            @Override
            public int write(MemorySegment src) {
                synchronized (AcmPort.this) {
                    if (gone) {
                        return -CharStatus.EIO;
                    }
                    int n = (int) Math.min(src.byteSize(), RING - txCount);
                    if (n == 0) {
                        return src.byteSize() == 0 ? 0 : -CharStatus.EAGAIN;
                    }
                    for (int i = 0; i < n; i++) {
                        tx[(txHead + txCount++) % RING] = src.get(ValueLayout.JAVA_BYTE, i);
                    }
                    kickWrite();
                    return n;
                }
            }

            @Override
            public int poll() {
                synchronized (AcmPort.this) {
                    return (rxCount > 0 ? POLLIN : 0) | (txCount < RING && !gone ? POLLOUT : 0) | (gone ? POLLHUP : 0);
                }
            }
        };
    }

    @Override
    public Status lineCoding(LineCoding c) {
        if (c.baud() <= 0 || c.stopBits() < 0 || c.stopBits() > 2 || c.parity() < 0 || c.parity() > 4
                || (c.dataBits() != 5 && c.dataBits() != 6 && c.dataBits() != 7 && c.dataBits() != 8 && c.dataBits() != 16)) {
            throw new CharException(CharStatus.EINVAL, "line coding " + c + ": baud > 0, stop bits 0-2, parity 0-4, data bits 5-8 or 16");
        }
        try {
            setLineCoding(c);
        } catch (HwException e) {
            throw new CharException(CharStatus.EIO, e.getMessage());
        }
        synchronized (this) {
            coding = c;
        }
        return status();
    }

    @Override
    public synchronized Status status() {
        return new Status(comm.name(), coding, received, transmitted, errors, carrier, dsr, !gone && comm.present());
    }

    private void cancelAll() {
        List<Urb> all;
        synchronized (this) {
            gone = true;
            all = List.copyOf(urbs);
        }
        all.forEach(Urb::cancel);
    }

    /** Cancels every URB (their callbacks see -ENOENT or -ENODEV), removes the node; readers see end of file. */
    @Override
    public void remove() {
        cancelAll();
        node.wake();
        node.remove();
        onRemoved.run();
        ctx.log().info(comm.name() + ": " + node.name() + " removed");
    }
}

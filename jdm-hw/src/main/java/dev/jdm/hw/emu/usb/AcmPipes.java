package dev.jdm.hw.emu.usb;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The three pipes of the CDC-ACM function, under the device's lock: bytes from the line wait in a
 * receive buffer for bulk IN transfers, bulk OUT data collects in an outbox for the line, and
 * SERIAL_STATE notifications wait for interrupt IN transfers.
 *
 * <p>Bulk IN moves in packets, as on the wire (USB 2.0 §5.8.3): a full packet as soon as the buffer
 * holds one, a short packet once the line has been quiet for {@link #SHORT_PACKET_IDLE_NANOS}, and a
 * zero-length packet after a full one when nothing more comes. A full packet fills the transfer on;
 * a short one, or a full transfer, ends it. A packet larger than the room left in the transfer is
 * babble: the transfer ends BABBLE and the packet, never acknowledged, stays in the device.
 */
final class AcmPipes {
    /** What the device holds for the host before it stops reading the line: g_serial's 8 KiB. */
    static final int RX_CAPACITY = 8192;
    /** About one full-speed frame. */
    static final long SHORT_PACKET_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Notifications the device keeps for a host that does not poll; older ones are lost. */
    static final int NOTIFICATIONS_KEPT = 16;

    private final byte[] rx = new byte[RX_CAPACITY];
    private int rxHead;
    private int rxSize;
    private long lastRxNanos;
    private final ArrayDeque<Integer> notifications = new ArrayDeque<>();
    private byte[] outbox = new byte[4096]; // the worker's thread only, like flush
    private int outSize;

    /** Drops what the device held (a reset, a configuration dropped). */
    void clear() {
        rxHead = 0;
        rxSize = 0;
        notifications.clear();
    }

    int rxRoom() {
        return RX_CAPACITY - rxSize;
    }

    /** Takes bytes that arrived from the line, at most {@link #rxRoom}. */
    void received(ByteBuffer b, long now) {
        while (b.hasRemaining() && rxSize < RX_CAPACITY) {
            int tail = (rxHead + rxSize) % RX_CAPACITY;
            int n = Math.min(b.remaining(), Math.min(RX_CAPACITY - rxSize, RX_CAPACITY - tail));
            b.get(rx, tail, n);
            rxSize += n;
        }
        lastRxNanos = now;
    }

    /** Queues a SERIAL_STATE with this UART state bitmap. */
    void notify(int serialState) {
        if (notifications.size() == NOTIFICATIONS_KEPT) {
            notifications.poll();
        }
        notifications.add(serialState);
    }

    /** The bytes of bulk OUT transfers taken since the last {@link #takeOutbox}; its length is the count. */
    byte[] outbox() {
        return outbox;
    }

    /** How many outbox bytes there are; resets the count. */
    int takeOutbox() {
        int n = outSize;
        outSize = 0;
        return n;
    }

    /** Serves the notification endpoint. */
    void serviceNotify(TransferBook book, long due) {
        TransferBook.Endpoint e = book.endpoint(AcmDescriptors.NOTIFY_IN);
        if (e == null || e.halted) {
            return;
        }
        for (Transfer t; !notifications.isEmpty() && (t = e.queue.poll()) != null; ) {
            if (t.failing) {
                book.decide(t, TransferStatus.ERROR, 0, due); // not acknowledged: the notification is sent again
            } else if (t.length() < Cdc.SERIAL_STATE_LENGTH) {
                book.decide(t, TransferStatus.BABBLE, 0, due);
            } else {
                int state = notifications.poll();
                byte[] n = new DescriptorWriter()
                        .u8(Cdc.RT_CLASS_INTERFACE_IN).u8(Cdc.NOTIFY_SERIAL_STATE)
                        .u16(0).u16(AcmDescriptors.COMM_INTERFACE).u16(2)
                        .u16(state)
                        .toArray();
                MemorySegment.copy(n, 0, t.buffer(), ValueLayout.JAVA_BYTE, 0, n.length);
                t.moved = n.length;
                book.decide(t, TransferStatus.COMPLETED, n.length, due);
            }
        }
    }

    /** Serves bulk OUT: every queued transfer's data goes to the outbox. */
    void serviceOut(TransferBook book, long due) {
        TransferBook.Endpoint e = book.endpoint(AcmDescriptors.BULK_OUT);
        if (e == null || e.halted) {
            return;
        }
        for (Transfer t; (t = e.queue.poll()) != null; ) {
            if (t.failing) {
                book.decide(t, TransferStatus.ERROR, 0, due); // its first packet was lost; nothing reached the line
                continue;
            }
            if (outSize + t.length() > outbox.length) {
                outbox = Arrays.copyOf(outbox, Math.max(outbox.length * 2, outSize + t.length()));
            }
            MemorySegment.copy(t.buffer(), ValueLayout.JAVA_BYTE, 0, outbox, outSize, t.length());
            outSize += t.length();
            t.moved = t.length();
            book.decide(t, TransferStatus.COMPLETED, t.length(), due);
        }
    }

    /** Serves bulk IN; returns when it wants to run again for a short packet (Long.MAX_VALUE: not). */
    long serviceIn(TransferBook book, long now, long due) {
        TransferBook.Endpoint e = book.endpoint(AcmDescriptors.BULK_IN);
        if (e == null || e.halted) {
            return Long.MAX_VALUE;
        }
        int mps = e.info.maxPacket();
        boolean quiet = now - lastRxNanos >= SHORT_PACKET_IDLE_NANOS;
        for (Transfer t; (t = e.queue.peek()) != null; ) {
            int packet;
            if (rxSize >= mps) {
                packet = mps;
            } else if (rxSize > 0 || (t.moved > 0 && t.lastPacketFull)) {
                if (!quiet) {
                    return lastRxNanos + SHORT_PACKET_IDLE_NANOS;
                }
                packet = rxSize; // short, or zero-length after a full packet
            } else {
                return Long.MAX_VALUE; // NAK until something arrives
            }
            if (t.failing) {
                e.queue.poll();
                book.decide(t, TransferStatus.ERROR, t.moved, due); // the packet was not acknowledged and stays
                continue;
            }
            if (packet > t.length() - t.moved) {
                e.queue.poll();
                book.decide(t, TransferStatus.BABBLE, t.moved, due);
                continue;
            }
            take(t, packet);
            t.lastPacketFull = packet == mps;
            if (packet < mps || t.moved == t.length()) {
                e.queue.poll();
                book.decide(t, TransferStatus.COMPLETED, t.moved, due);
            }
        }
        return Long.MAX_VALUE;
    }

    private void take(Transfer t, int n) {
        for (int left = n; left > 0; ) {
            int run = Math.min(left, RX_CAPACITY - rxHead);
            MemorySegment.copy(rx, rxHead, t.buffer(), ValueLayout.JAVA_BYTE, t.moved, run);
            t.moved += run;
            rxHead = (rxHead + run) % RX_CAPACITY;
            rxSize -= run;
            left -= run;
        }
    }
}

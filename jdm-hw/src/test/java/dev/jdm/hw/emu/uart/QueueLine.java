package dev.jdm.hw.emu.uart;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/** A far side in memory: the test feeds bytes to the receiver and sees what was sent. */
final class QueueLine implements SerialLine {
    private final ArrayDeque<Byte> incoming = new ArrayDeque<>();
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private volatile boolean connected;
    private boolean woken;
    private boolean closed;

    QueueLine(boolean connected) {
        this.connected = connected;
    }

    synchronized void feed(byte... bytes) {
        for (byte b : bytes) {
            incoming.add(b);
        }
        notifyAll();
    }

    synchronized void connected(boolean c) {
        connected = c;
        notifyAll();
    }

    synchronized byte[] sent() {
        return sent.toByteArray();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void send(byte[] bytes, int offset, int length) {
        sent.write(bytes, offset, length);
        notifyAll();
    }

    @Override
    public synchronized int receive(ByteBuffer dst, long timeoutNanos) throws java.io.IOException {
        if (closed) {
            throw new java.io.IOException("closed");
        }
        long end = System.nanoTime() + timeoutNanos;
        boolean was = connected;
        try {
            while (incoming.isEmpty() && !woken && was == connected) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        woken = false;
        int n = 0;
        while (!incoming.isEmpty() && dst.hasRemaining()) {
            dst.put(incoming.poll());
            n++;
        }
        return n;
    }

    @Override
    public synchronized void wakeup() {
        woken = true;
        notifyAll();
    }

    @Override
    public boolean connected() {
        return connected;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    /** Waits until {@code n} bytes have been sent; returns what was sent by then. */
    synchronized byte[] awaitSent(int n, long timeoutMillis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (sent.size() < n) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return sent.toByteArray();
    }
}

package dev.jdm.hw.emu.usb;

import dev.jdm.hw.emu.uart.SerialLine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/** A far side in memory: the test feeds what the device receives and reads what it sent. */
final class MemLine implements SerialLine {
    private final ArrayDeque<Byte> incoming = new ArrayDeque<>();
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private volatile boolean connected;
    private boolean woken;
    private boolean failing;

    MemLine(boolean connected) {
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

    /** From now on every call fails, as a line that broke. */
    synchronized void fail() {
        failing = true;
        notifyAll();
    }

    synchronized int unread() {
        return incoming.size();
    }

    synchronized byte[] sent() {
        return sent.toByteArray();
    }

    @Override
    public synchronized void send(byte[] bytes, int offset, int length) throws IOException {
        if (failing) {
            throw new IOException("the test broke the line");
        }
        sent.write(bytes, offset, length);
        notifyAll();
    }

    @Override
    public synchronized int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        long end = System.nanoTime() + timeoutNanos;
        boolean was = connected;
        try {
            while (incoming.isEmpty() && !woken && !failing && was == connected) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failing) {
            throw new IOException("the test broke the line");
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
    public void close() {}

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

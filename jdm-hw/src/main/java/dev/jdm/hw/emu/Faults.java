package dev.jdm.hw.emu;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Fault injection on one emulated device. Each switch is read by the device at the point its spec
 * would act, so a driver meets the failure where real hardware would show it. All zero or false:
 * the device behaves by the spec. Thread-safe; changes apply from the next request.
 */
public final class Faults {
    private volatile int errorEvery;
    private volatile long delayMicros;
    private volatile int dropInterruptEvery;
    private volatile int spuriousInterruptEvery;
    private volatile boolean stuckBusy;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong interrupts = new AtomicLong();

    /** Every Nth request completes with the device's error status (0: never). */
    public int errorEvery() {
        return errorEvery;
    }

    public Faults errorEvery(int n) {
        errorEvery = nonNegative(n, "errorEvery");
        return this;
    }

    /** Each request completes this much later than it could. */
    public long delayMicros() {
        return delayMicros;
    }

    public Faults delayMicros(long us) {
        if (us < 0) {
            throw new IllegalArgumentException("delayMicros must be >= 0, not " + us);
        }
        delayMicros = us;
        return this;
    }

    /** Every Nth interrupt the device would raise is lost (0: none). */
    public int dropInterruptEvery() {
        return dropInterruptEvery;
    }

    public Faults dropInterruptEvery(int n) {
        dropInterruptEvery = nonNegative(n, "dropInterruptEvery");
        return this;
    }

    /** After every Nth interrupt, one more is raised with nothing behind it (0: none). */
    public int spuriousInterruptEvery() {
        return spuriousInterruptEvery;
    }

    public Faults spuriousInterruptEvery(int n) {
        spuriousInterruptEvery = nonNegative(n, "spuriousInterruptEvery");
        return this;
    }

    /** The device's busy indication never clears (a virtio device never completes its reset). */
    public boolean stuckBusy() {
        return stuckBusy;
    }

    public Faults stuckBusy(boolean stuck) {
        stuckBusy = stuck;
        return this;
    }

    /** Counts a request; true when this one is to fail. */
    public boolean nextRequestFails() {
        int n = errorEvery;
        long seq = requests.incrementAndGet();
        return n > 0 && seq % n == 0;
    }

    /** Counts an interrupt the device is about to raise; how many to raise for it (0, 1 or 2). */
    public int interruptsFor() {
        long seq = interrupts.incrementAndGet();
        int drop = dropInterruptEvery;
        if (drop > 0 && seq % drop == 0) {
            return 0;
        }
        int spurious = spuriousInterruptEvery;
        return spurious > 0 && seq % spurious == 0 ? 2 : 1;
    }

    /** Sleeps for the configured delay, if any. */
    public void delay() throws InterruptedException {
        long us = delayMicros;
        if (us > 0) {
            Thread.sleep(us / 1000, (int) (us % 1000) * 1000);
        }
    }

    private static int nonNegative(int n, String what) {
        if (n < 0) {
            throw new IllegalArgumentException(what + " must be >= 0, not " + n);
        }
        return n;
    }
}

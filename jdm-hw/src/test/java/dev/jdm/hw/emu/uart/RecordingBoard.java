package dev.jdm.hw.emu.uart;

import dev.jdm.hw.emu.BoardPort;
import dev.jdm.hw.emu.DmaFault;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A board that records every INTx change; the UART does no DMA and has no MSI-X. */
final class RecordingBoard implements BoardPort {
    private final List<Boolean> intx = new ArrayList<>();
    private boolean level;

    @Override
    public MemorySegment dma(long busAddress, long length) {
        throw new DmaFault("the UART has no bus master; DMA at 0x" + Long.toHexString(busAddress));
    }

    @Override
    public void msix(int vector) {
        throw new AssertionError("the UART has no MSI-X, yet sent vector " + vector);
    }

    @Override
    public synchronized void intx(boolean asserted) {
        intx.add(asserted);
        level = asserted;
        notifyAll();
    }

    synchronized boolean level() {
        return level;
    }

    /** Every call of intx so far, in order. */
    synchronized List<Boolean> calls() {
        return List.copyOf(intx);
    }

    synchronized void forget() {
        intx.clear();
    }

    /** Waits until the line is at {@code want}; false if it was not within {@code timeout}. */
    synchronized boolean awaitLevel(boolean want, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (level != want) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }
}

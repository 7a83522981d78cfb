package dev.jdm.hw.emu.uart;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The far side of an emulated UART: what its transmitter sends goes out here, and what arrives here
 * is shifted into its receiver. A line is made and closed by its owner, not by the device; one
 * device's worker thread calls {@link #send} and {@link #receive}, while {@link #wakeup} and
 * {@link #connected} may be called from any thread.
 */
public interface SerialLine extends AutoCloseable {
    /**
     * Sends bytes without blocking. What the far side cannot take at once (nobody attached, or its
     * buffer full) is lost, as it is on a wire with no flow control.
     *
     * @throws IOException if the line itself has failed or is closed
     */
    void send(byte[] bytes, int offset, int length) throws IOException;

    /**
     * Reads what has arrived into {@code dst}, waiting up to {@code timeoutNanos} (0: not at all)
     * for something to arrive. Returns early, with 0, on {@link #wakeup} or on a change of
     * {@link #connected}. Returns the number of bytes read.
     *
     * @throws IOException if the line itself has failed or is closed
     */
    int receive(ByteBuffer dst, long timeoutNanos) throws IOException;

    /** Makes a {@link #receive} in progress, or the next one if none is, return at once. */
    void wakeup();

    /** Whether a far side is attached; the device shows it as CTS, DSR and DCD in MSR. */
    boolean connected();

    /** Releases the line; only once no device is plugged with it. */
    @Override
    void close() throws IOException;
}

package dev.jdm.hw.emu.usb;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One asynchronous bulk or interrupt transfer: the device's half of a URB. An IN transfer's data
 * is written into {@link #buffer()} from offset 0; an OUT transfer's first {@link #length()} bytes
 * are read from it. The buffer must stay valid, and be accessible from the device's thread (a
 * global, automatic or shared arena, or the heap), until the transfer completes.
 *
 * <p>Each submission completes exactly once: the device calls {@link Completion#completed} once,
 * with the status and the number of bytes moved. A completed transfer may be submitted again, as a
 * URB is resubmitted, also from inside its own completion.
 */
public final class Transfer {
    private static final System.Logger LOG = System.getLogger(Transfer.class.getName());

    /** Called once per submission, on the device's thread (or the canceller's, for CANCELLED). */
    @FunctionalInterface
    public interface Completion {
        void completed(TransferStatus status, int actualLength);
    }

    private final int endpoint;
    private final MemorySegment buffer;
    private final int length;
    private final Completion completion;
    /** {@link #PENDING}, the last submission's {@link Result}, or null before the first. */
    private final AtomicReference<Object> state = new AtomicReference<>();
    private static final Object PENDING = new Object();

    private record Result(TransferStatus status, int actualLength) {}

    // the device's progress, guarded by the device's lock while pending
    int moved;
    boolean failing;
    boolean lastPacketFull;

    /**
     * A transfer on {@code endpoint} (bit 7 set: IN; number 1–15, since endpoint 0 carries only
     * control transfers) of {@code length} bytes of {@code buffer}.
     */
    public Transfer(int endpoint, MemorySegment buffer, int length, Completion completion) {
        if ((endpoint & ~0x8f) != 0 || (endpoint & 0x0f) == 0) {
            throw new IllegalArgumentException(String.format(
                    "endpoint address 0x%x is not a bulk or interrupt endpoint: bits 3..0 are its number 1-15, bit 7 its direction", endpoint));
        }
        this.endpoint = endpoint;
        this.buffer = Objects.requireNonNull(buffer, "buffer");
        this.completion = Objects.requireNonNull(completion, "completion");
        if (length < 0 || length > buffer.byteSize()) {
            throw new IllegalArgumentException("length " + length + " does not fit the buffer of " + buffer.byteSize() + " bytes");
        }
        if (isIn() && length == 0) {
            throw new IllegalArgumentException(String.format("an IN transfer on endpoint 0x%02x needs room for at least one byte", endpoint));
        }
        if (isIn() && buffer.isReadOnly()) {
            throw new IllegalArgumentException(String.format("an IN transfer on endpoint 0x%02x needs a writable buffer", endpoint));
        }
        this.length = length;
    }

    /** The endpoint address: bit 7 is the direction (1: IN), bits 3..0 the number. */
    public int endpoint() {
        return endpoint;
    }

    public boolean isIn() {
        return (endpoint & Ch9.ENDPOINT_DIR_IN) != 0;
    }

    public MemorySegment buffer() {
        return buffer;
    }

    public int length() {
        return length;
    }

    /** Whether it is submitted and not yet completed. */
    public boolean isPending() {
        return state.get() == PENDING;
    }

    /** How the last submission ended; null while it is pending or before the first. */
    public TransferStatus status() {
        return state.get() instanceof Result r ? r.status() : null;
    }

    /** The bytes the last completed submission moved; 0 while it is pending or before the first. */
    public int actualLength() {
        return state.get() instanceof Result r ? r.actualLength() : 0;
    }

    /** Marks it submitted; false if it already is. */
    boolean begin() {
        Object now;
        do {
            now = state.get();
            if (now == PENDING) {
                return false;
            }
        } while (!state.compareAndSet(now, PENDING));
        moved = 0;
        failing = false;
        lastPacketFull = false;
        return true;
    }

    /** Gives a transfer that {@link #begin} took back, when the submission was refused. */
    void refuse() {
        state.compareAndSet(PENDING, null);
    }

    /** Ends this submission and calls the completion; false if it had already ended. Call with no lock held. */
    boolean complete(TransferStatus s, int actual) {
        if (!state.compareAndSet(PENDING, new Result(s, actual))) {
            return false;
        }
        try {
            completion.completed(s, actual);
        } catch (RuntimeException e) {
            // the host's bug; the device goes on
            LOG.log(System.Logger.Level.WARNING, String.format("completion of a transfer on endpoint 0x%02x threw: %s", endpoint, e), e);
        }
        return true;
    }

    @Override
    public String toString() {
        return String.format("Transfer[ep 0x%02x %s %d bytes%s]", endpoint, isIn() ? "IN" : "OUT", length, isPending() ? ", pending" : "");
    }
}

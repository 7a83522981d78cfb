package dev.jdm.abi.hw;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;
import java.lang.foreign.MemorySegment;

/** A bulk or interrupt endpoint of a bound interface, to which URBs are submitted. */
@Provided
@Since("JDM_1.2")
public interface UsbEndpoint {
    /** Bulk transfers (bmAttributes 2). */
    int BULK = 2;
    /** Interrupt transfers (bmAttributes 3). */
    int INTERRUPT = 3;

    /** The endpoint address: bit 7 is the direction (1: IN), bits 3..0 the number. */
    int address();

    /** {@link #BULK} or {@link #INTERRUPT}. */
    int type();

    /** wMaxPacketSize. */
    int maxPacketSize();

    /**
     * Submits an asynchronous transfer of {@code length} bytes of {@code buffer} (written into for
     * IN), which must stay valid until {@code done} runs. {@code done} runs exactly once, on the
     * bus's completion thread, never inside this call; a URB may be submitted again from it.
     *
     * @throws HwException ENODEV if the device is gone, EINVAL for a length outside the buffer or
     *     an empty IN transfer
     */
    Urb submit(MemorySegment buffer, int length, UrbCallback done);

    /**
     * Clears a halt (CLEAR_FEATURE(ENDPOINT_HALT)) after a URB completed with -EPIPE.
     *
     * @throws HwException EPIPE if the device stalled that too, ENODEV if it is gone
     */
    void clearHalt();
}

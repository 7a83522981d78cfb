package dev.jdm.abi.hw;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;
import java.lang.foreign.MemorySegment;

/** DMA memory seen from both sides: the driver's segment and the device's bus address. */
@Provided
@Since("JDM_1.2")
public interface DmaBuffer extends AutoCloseable {
    /** The address the device uses for the buffer's first byte. */
    long busAddress();

    /** The driver's view of the same bytes; invalid after {@link #close()}. */
    MemorySegment memory();

    long size();

    /** Unmaps the buffer from the device and frees it. Idempotent. */
    @Override
    void close();
}

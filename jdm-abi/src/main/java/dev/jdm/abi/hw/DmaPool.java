package dev.jdm.abi.hw;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/** Small DMA blocks of one size; closing the pool frees every block. */
@Provided
@Since("JDM_1.2")
public interface DmaPool extends AutoCloseable {
    /** The block size. */
    int blockSize();

    /** A zeroed block; {@link DmaBuffer#close()} returns it to the pool. */
    DmaBuffer allocate();

    @Override
    void close();
}

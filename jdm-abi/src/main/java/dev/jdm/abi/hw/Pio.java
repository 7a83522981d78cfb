package dev.jdm.abi.hw;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/** A granted I/O BAR: port accesses at offsets from its base, checked as {@link Mmio}'s are. */
@Provided
@Since("JDM_1.2")
public interface Pio {
    /** The number of ports. */
    int size();

    int in8(int port);

    int in16(int port);

    int in32(int port);

    void out8(int port, int value);

    void out16(int port, int value);

    void out32(int port, int value);
}

package dev.jdm.abi.hw;

import dev.jdm.abi.Implemented;
import dev.jdm.abi.Since;

/** A driver's interrupt handler, run on the vector's interrupt thread (threaded delivery). */
@Implemented
@FunctionalInterface
@Since("JDM_1.2")
public interface IrqHandler {
    /**
     * Serves interrupt {@code vector}. Deliveries of one vector are serialised; an interrupt raised
     * while the handler runs is delivered once more after it returns. An INTx line stays masked
     * while the handler runs. A handler that throws is counted as NONE and logged.
     */
    IrqResult handle(int vector);
}

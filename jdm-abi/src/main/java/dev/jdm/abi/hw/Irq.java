package dev.jdm.abi.hw;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/** A requested interrupt vector. */
@Provided
@Since("JDM_1.2")
public interface Irq {
    /** The legacy INTx line, for {@link HwDevice#irq}. */
    int INTX = -1;

    /** The vector number, or {@link #INTX}. */
    int vector();

    /** Holds deliveries back; an interrupt raised meanwhile is delivered at {@link #unmask()}. */
    void mask();

    void unmask();

    /**
     * Also runs the handler every {@code periodMillis} while the vector is unmasked (0 stops it), for
     * a device that may lose interrupts, as Linux's {@code irqpoll} does: a module may not start
     * threads of its own. Polled runs are counted neither as delivered nor as spurious.
     *
     * @throws HwException EINVAL for a negative period
     */
    void poll(long periodMillis);

    /** How many interrupts the handler answered HANDLED. */
    long delivered();

    /** How many it answered NONE: raised with nothing behind them. */
    long spurious();

    /** Releases the vector; waits for a running handler to return. */
    void free();
}

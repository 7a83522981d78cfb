package dev.jdm.drivers.kstack;

import dev.jdm.abi.Export;

/** A bounded stack of longs in kmalloc memory, offered to other modules. */
@Export
public interface KStack {
    /** Pushes a value; fails when full. */
    void push(long value);

    /** Pops the last value; fails when empty. */
    long pop();

    /** Number of values held. */
    int depth();
}

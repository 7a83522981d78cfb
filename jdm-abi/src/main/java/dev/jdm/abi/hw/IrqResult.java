package dev.jdm.abi.hw;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/** Whether the device had raised an interrupt: a handler answers NONE when it finds no cause. */
@Provided
@Since("JDM_1.2")
public enum IrqResult {
    HANDLED,
    NONE
}

package dev.jdm.abi.hw;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/** A submitted USB request block: one asynchronous transfer on an endpoint. */
@Provided
@Since("JDM_1.2")
public interface Urb {
    /** The endpoint it was submitted to. */
    UsbEndpoint endpoint();

    /**
     * Cancels it if it is still pending, as {@code usb_kill_urb}: its callback runs with -ENOENT
     * before this returns. Returns whether it was pending.
     */
    boolean cancel();
}

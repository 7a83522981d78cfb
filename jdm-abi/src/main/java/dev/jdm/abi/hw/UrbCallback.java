package dev.jdm.abi.hw;

import dev.jdm.abi.Implemented;
import dev.jdm.abi.Since;

/**
 * A URB's completion, with Linux's statuses: 0, or a negated errno: -EPIPE (the endpoint stalled),
 * -ENOENT (cancelled), -ENODEV (the device went), -EPROTO (a transaction error), -EOVERFLOW (the
 * device sent more than the buffer holds). A short IN transfer completes 0 with fewer bytes.
 */
@Implemented
@FunctionalInterface
@Since("JDM_1.2")
public interface UrbCallback {
    /** Runs once per submission, on the bus's completion thread; it may submit again. */
    void complete(Urb urb, int status, int actualLength);
}

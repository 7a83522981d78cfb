package dev.jdm.isolation.channel;

import java.io.IOException;

/** A control message that breaks the framing rules: it is refused and its descriptors closed. */
public final class ControlChannelException extends IOException {
    private static final long serialVersionUID = 1L;

    public ControlChannelException(String message) {
        super(message);
    }
}

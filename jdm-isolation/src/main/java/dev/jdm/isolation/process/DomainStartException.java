package dev.jdm.isolation.process;

import java.io.IOException;

/** A domain that did not start: the message says which stage failed and why (step and errno). */
public final class DomainStartException extends IOException {
    private static final long serialVersionUID = 1L;

    public DomainStartException(String message) {
        super(message);
    }

    public DomainStartException(String message, Throwable cause) {
        super(message, cause);
    }
}

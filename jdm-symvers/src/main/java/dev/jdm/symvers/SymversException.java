package dev.jdm.symvers;

/** A class file, table or symbol that cannot be read; the message names what and why. */
public class SymversException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SymversException(String message) {
        super(message);
    }

    public SymversException(String message, Throwable cause) {
        super(message, cause);
    }
}

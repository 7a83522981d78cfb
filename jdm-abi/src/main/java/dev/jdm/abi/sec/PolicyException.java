package dev.jdm.abi.sec;

import dev.jdm.abi.Provided;

/**
 * A policy text a module refuses: where (1-based line and column) and what is wrong. The host
 * keeps the module's previous policy in force.
 */
@Provided
public final class PolicyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;

    /** Creates the exception for a problem at {@code line}, {@code column}. */
    public PolicyException(int line, int column, String message) {
        super(message);
        this.line = line;
        this.column = column;
    }

    /** 1-based line of the problem. */
    public int line() {
        return line;
    }

    /** 1-based column of the problem. */
    public int column() {
        return column;
    }
}

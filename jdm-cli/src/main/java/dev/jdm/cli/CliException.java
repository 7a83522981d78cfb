package dev.jdm.cli;

/** An error to print as one line on stderr, with the exit code to leave with. */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The host refused or failed the call. */
    static final int HOST_ERROR = 1;
    /** Bad arguments or input files. */
    static final int USAGE = 2;
    /** No host to talk to. */
    static final int NO_HOST = 3;

    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}

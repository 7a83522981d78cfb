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

    /**
     * The line printed for {@code message} under {@code jdm cmd} ("sec reload", whose last word is
     * {@code name}). Here rather than in JdmCommand, whose class initialisation the lsmod fast path avoids.
     */
    static String line(String cmd, String name, String message) {
        // the host names the call ("blk guard: ", "sysctl: ") or its layer ("blk: " under jdm blk stat)
        for (String prefix : new String[] {cmd + ": ", name + ": ", cmd.split(" ")[0] + ": "}) {
            if (message.startsWith(prefix)) {
                message = message.substring(prefix.length());
                break;
            }
        }
        return "jdm " + cmd + ": " + message;
    }

    /**
     * A file that could not be read, with the system's reason as the shell says it ({@code No such
     * file or directory}) rather than the exception's bare path.
     */
    static CliException unreadable(java.nio.file.Path file, java.io.IOException e) {
        String reason = switch (e) {
            case java.nio.file.NoSuchFileException x -> "No such file or directory";
            case java.nio.file.AccessDeniedException x -> "Permission denied";
            case java.nio.file.FileSystemException x when x.getReason() != null -> x.getReason();
            default -> e.getMessage();
        };
        return new CliException(USAGE, file + ": cannot read (" + reason + ")");
    }

    /**
     * A failed gate call: the host's refusal with its errno ({@code ... [ENOENT]}, exit 1), or no
     * host to talk to (exit 3).
     */
    static CliException from(dev.jdm.gate.GateException e) {
        return e.refused() ? new CliException(HOST_ERROR, e.getMessage() + " [" + e.errnoName() + "]") : new CliException(NO_HOST, e.getMessage());
    }

    int exitCode() {
        return exitCode;
    }
}

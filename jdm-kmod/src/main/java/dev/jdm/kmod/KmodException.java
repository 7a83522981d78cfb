package dev.jdm.kmod;

import java.nio.file.Path;

/**
 * The one exception type that jdm-kmod lets escape. The message always names the file (or
 * input) and the problem, so a CLI can print it as a single line.
 */
public class KmodException extends Exception {
    private static final long serialVersionUID = 1L;

    public KmodException(String message) {
        super(message);
    }

    public KmodException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A problem in a named file: "{@code file: problem}". */
    public static KmodException in(Object file, String problem) {
        return new KmodException(file + ": " + problem);
    }

    public static KmodException in(Path file, String problem, Throwable cause) {
        return new KmodException(file + ": " + problem, cause);
    }
}

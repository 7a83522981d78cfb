package dev.jdm.host;

import dev.jdm.errno.Errno;

/**
 * An error the host reports to a task: an errno and one line saying what was wrong and what to
 * do. This is what the call gate sends back and the CLI prints.
 */
public class HostException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Errno code;

    public HostException(Errno code, String message) {
        super(message);
        this.code = code;
    }

    public HostException(Errno code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The errno. */
    public Errno code() {
        return code;
    }
}

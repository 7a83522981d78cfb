package dev.jdm.abi;

/** A module's logger into the host's log ring, tagged with the module's name (printk). */
@Provided
public interface Log {
    /** Appends one record at {@code level}. */
    void log(LogLevel level, String message);

    /** Logs at {@link LogLevel#ERR}. */
    default void err(String message) {
        log(LogLevel.ERR, message);
    }

    /** Logs at {@link LogLevel#WARNING}. */
    default void warn(String message) {
        log(LogLevel.WARNING, message);
    }

    /** Logs at {@link LogLevel#INFO}. */
    default void info(String message) {
        log(LogLevel.INFO, message);
    }

    /** Logs at {@link LogLevel#DEBUG}. */
    default void debug(String message) {
        log(LogLevel.DEBUG, message);
    }
}

package dev.jdm.abi;

/** printk levels, most severe first; the console shows levels up to {@code log.console_level}. */
@Provided
public enum LogLevel {
    /** System is unusable. */
    EMERG,
    /** Action must be taken immediately. */
    ALERT,
    /** Critical conditions. */
    CRIT,
    /** Error conditions. */
    ERR,
    /** Warning conditions. */
    WARNING,
    /** Normal but significant. */
    NOTICE,
    /** Informational. */
    INFO,
    /** Debug messages. */
    DEBUG
}

package dev.jdm.dde.nbdkit;

/**
 * Receives what plugins say through {@code nbdkit_error} and {@code nbdkit_debug}, on whichever
 * thread said it (plugin-started threads included). Must not throw and should return quickly.
 */
@FunctionalInterface
public interface PluginListener {
    /** How nbdkit would have printed it: {@code error:} or {@code debug:}. */
    enum Level { ERROR, DEBUG }

    /** One message, without a trailing newline; {@code plugin} is the plugin's name. */
    void message(String plugin, Level level, String text);
}

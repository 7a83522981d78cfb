package dev.jdm.dde.nbdkit;

import dev.jdm.abi.blk.BlockStatus;
import java.io.IOException;

/**
 * A plugin, or the environment on its behalf, refused: a bad plugin file, a parameter the plugin
 * rejected, or a request that failed. {@link #errno()} is what the request would complete with;
 * {@link #pluginMessage()} is the plugin's own {@code nbdkit_error} text, when it gave one.
 */
public final class NbdkitException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String pluginMessage;

    NbdkitException(int errno, String message, String pluginMessage) {
        super(message);
        this.errno = errno;
        this.pluginMessage = pluginMessage;
    }

    NbdkitException(int errno, String message) {
        this(errno, message, null);
    }

    /** A Linux errno number, as {@link BlockStatus} names them. */
    public int errno() {
        return errno;
    }

    /** {@code "ENOSPC"} and so on. */
    public String errnoName() {
        return BlockStatus.name(errno);
    }

    /** The last {@code nbdkit_error} text of the failed call, or null. */
    public String pluginMessage() {
        return pluginMessage;
    }
}

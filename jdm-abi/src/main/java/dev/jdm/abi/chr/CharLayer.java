package dev.jdm.abi.chr;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/**
 * The character-device layer as a module sees it ({@code ModuleContext.chr()}). Nodes a module
 * leaves registered are removed, and their open files released, when it unloads.
 */
@Provided
@Since("JDM_1.2")
public interface CharLayer {
    /**
     * Starts describing a node named {@code name}: lower-case letters, digits, '-' and '_', starting
     * with a letter; at most 32 characters.
     */
    CharDevice.Builder device(String name);

    /** The host's log ring, read-only, for a device that streams it (kmsg). */
    HostLog hostLog();
}

package dev.jdm.hw.lspci;

/** How IDs appear beside names, as lspci's {@code -n} flags choose. */
public enum IdMode {
    /** Names alone; numbers only where a name is unknown (lspci). */
    NAMES,
    /** Numbers alone (lspci -n). */
    NUMBERS,
    /** Names with their numbers in brackets (lspci -nn). */
    BOTH
}

package dev.jdm.symvers;

/**
 * Who implements an ABI type; decides which of its changes break a module (see DESIGN.md).
 */
public enum TypeRole {
    /** The host implements it; modules only use it. Adding members is compatible. */
    PROVIDED,
    /** Modules implement it; a new abstract method breaks them. */
    IMPLEMENTED,
    /** Not an ABI or exported type: only its name matters. */
    OPAQUE;

    /** Lower-case word used in expanded definitions. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

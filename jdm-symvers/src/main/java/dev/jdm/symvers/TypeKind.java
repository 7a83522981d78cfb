package dev.jdm.symvers;

/** The kind of a type, as users of it see it. */
public enum TypeKind {
    CLASS, INTERFACE, RECORD, ENUM, ANNOTATION;

    /** Lower-case word used in expanded definitions. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

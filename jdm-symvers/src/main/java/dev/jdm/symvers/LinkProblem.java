package dev.jdm.symvers;

/**
 * One reason a module cannot link.
 *
 * @param kind what class of problem
 * @param site the module class that holds the reference (binary name)
 * @param reference the symbol or class referred to
 * @param reason why it is refused and what to do
 */
public record LinkProblem(Kind kind, String site, String reference, String reason) {

    /** Classes of link problems. */
    public enum Kind {
        /** An ABI (or dependency) symbol that does not exist. */
        UNKNOWN_SYMBOL,
        /** A module type that implements or extends a provided type. */
        PROVIDED_TYPE,
        /** A reference into the host's own packages. */
        HOST_INTERNAL,
        /** A JDK API outside the allowed set. */
        FORBIDDEN_JDK,
        /** A class found nowhere modules may link to. */
        UNRESOLVED
    }

    /** One line for users. */
    public String message() {
        return switch (kind) {
            case UNKNOWN_SYMBOL -> "Unknown symbol " + reference + " (referenced from " + site + ")" + (reason.isEmpty() ? "" : ": " + reason);
            case PROVIDED_TYPE -> site + " " + reason.replaceFirst(" it,", " " + reference + ",");
            case HOST_INTERNAL -> site + " refers to host internals " + reference + ": modules may use only the ABI (dev.jdm.abi)";
            case FORBIDDEN_JDK -> site + " uses " + reference + ", which modules may not use: " + reason;
            case UNRESOLVED -> site + " refers to " + reference + ", " + reason;
        };
    }
}

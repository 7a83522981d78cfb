package dev.jdm.abi.sec;

import dev.jdm.abi.Provided;

/**
 * A security module's answer to one hook.
 *
 * <p>{@link Kind#NO_OPINION} is what every hook answers by default and is distinct from
 * {@link Kind#ALLOW}: both let the access through, but audit records tell them apart. A deny names
 * an errno ({@link #EACCES} or {@link #EPERM}) and a one-line reason. Anything else (a null vote, a
 * null kind, another errno, a deny without reason, an allow carrying an errno) is nonsense, and the
 * host counts it as a deny (fail closed) and logs it.
 *
 * @param kind allow, deny or no opinion
 * @param errno {@link #EACCES} or {@link #EPERM} for a deny, 0 otherwise
 * @param reason one line for a deny, shown to the caller; null otherwise
 */
@Provided
public record Vote(Kind kind, int errno, String reason) {
    /** Operation not permitted: the task lacks a privilege. */
    public static final int EPERM = 1;
    /** Permission denied: the object's policy refuses this task. */
    public static final int EACCES = 13;

    /** This module allows the access. */
    public static final Vote ALLOW = new Vote(Kind.ALLOW, 0, null);
    /** This module has no opinion: the default of every hook. */
    public static final Vote NO_OPINION = new Vote(Kind.NO_OPINION, 0, null);

    /** What a vote says. */
    @Provided
    public enum Kind {
        /** Let it through. */
        ALLOW,
        /** Refuse it. */
        DENY,
        /** Not this module's business. */
        NO_OPINION
    }

    /** A deny with {@link #EACCES}. */
    public static Vote deny(String reason) {
        return new Vote(Kind.DENY, EACCES, reason);
    }

    /** A deny with {@code errno} ({@link #EACCES} or {@link #EPERM}). */
    public static Vote deny(int errno, String reason) {
        return new Vote(Kind.DENY, errno, reason);
    }
}

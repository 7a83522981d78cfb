package dev.jdm.isolation.confine;

/**
 * A confinement step that failed: the domain does not start (fail closed). The message names the
 * step and, for a system call, its errno: {@code confinement step landlock_restrict_self failed:
 * EPERM (Operation not permitted)}.
 */
public final class ConfinementException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String step;

    public ConfinementException(String step, String reason) {
        super("confinement step " + step + " failed: " + reason);
        this.step = step;
    }

    public ConfinementException(String step, Throwable cause) {
        super("confinement step " + step + " failed: " + cause.getMessage(), cause);
        this.step = step;
    }

    /** The step: {@code setrlimit(RLIMIT_AS)}, {@code setresuid}, {@code landlock_add_rule(/usr/lib/jvm)}, ... */
    public String step() {
        return step;
    }
}

package dev.jdm.host.domain;

/** Where a domain is in its life, as {@code jdm domain ls} shows it. */
public enum DomainState {
    /** Its process serves its modules. */
    RUNNING,
    /** Its process died or hung: a new one is being started and its modules reloaded; I/O waits. */
    RECOVERING,
    /** It crashed beyond its restart budget (or could not be restarted): its LUs fail with EIO. */
    FAILED,
    /** The host stopped it. */
    STOPPED;

    /** The lower-case name {@code jdm domain ls} prints. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

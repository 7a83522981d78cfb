package dev.jdm.host.task;

/**
 * A client of the host: one call-gate connection, or the host's own start-up work.
 *
 * @param id unique id, never reused while the host runs
 * @param name what the task is, e.g. {@code gate:1234} or {@code host}
 * @param security the task's security array, kept by {@code dev.jdm.host.security}
 */
public record Task(long id, String name, Credentials credentials, SecuritySlot security) {
    /** A task with an empty security slot. */
    public Task(long id, String name, Credentials credentials) {
        this(id, name, credentials, new SecuritySlot());
    }
}

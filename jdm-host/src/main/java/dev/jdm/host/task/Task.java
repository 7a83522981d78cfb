package dev.jdm.host.task;

/**
 * A client of the host: one call-gate connection, or the host's own start-up work.
 *
 * @param id unique id, never reused while the host runs
 * @param name what the task is, e.g. {@code gate:1234} or {@code host}
 */
public record Task(long id, String name, Credentials credentials) {}

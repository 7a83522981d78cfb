package dev.jdm.dde.nbdkit;

/**
 * How much concurrency a plugin tolerates, in nbdkit's order from strictest to loosest (the
 * numbers are {@code NBDKIT_THREAD_MODEL_*}). The environment takes the strictest of the plugin's
 * {@code THREAD_MODEL} and what its {@code .thread_model} callback answers.
 */
public enum ThreadModel {
    /** One connection at a time; a second {@code open} waits for the first {@code close}. */
    SERIALIZE_CONNECTIONS,
    /** Any number of connections, but one request at a time across all of them. */
    SERIALIZE_ALL_REQUESTS,
    /** One request at a time per connection. */
    SERIALIZE_REQUESTS,
    /** No locking at all. */
    PARALLEL;

    /** The model numbered {@code value}, or null if nbdkit defines none. */
    static ThreadModel of(int value) {
        ThreadModel[] all = values();
        return value >= 0 && value < all.length ? all[value] : null;
    }

    ThreadModel stricter(ThreadModel other) {
        return compareTo(other) <= 0 ? this : other;
    }
}

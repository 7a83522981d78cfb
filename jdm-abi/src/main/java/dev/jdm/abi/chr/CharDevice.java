package dev.jdm.abi.chr;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/** A registered character device node, as its driver sees it. */
@Provided
@Since("JDM_1.2")
public interface CharDevice {
    /** The node's name, e.g. {@code zero}. */
    String name();

    /** Its major number. */
    int major();

    /** Its minor number. */
    int minor();

    /**
     * Tells the host that the readiness of some open file may have changed (data arrived, room
     * was made): blocked readers and writers ask their files again. Cheap; call it from any thread.
     */
    void wake();

    /** Removes the node; its open files are released. Idempotent. */
    void remove();

    /** Describes a node before it is registered. */
    @Provided
    interface Builder {
        /** Device number (default: major 240, one of Linux's local/experimental majors, and its next free minor). Each number names one node. */
        Builder number(int major, int minor);

        /** Owner uid (default: the uid the host runs as). */
        Builder owner(int uid);

        /** Group gid (default: the gid the host runs as). */
        Builder group(int gid);

        /** Permission bits, e.g. {@code 0666} (default {@code 0600}). */
        Builder mode(int mode);

        /**
         * Publishes typed calls: every public method of {@code api}, an interface, takes one record
         * (or nothing) and returns one record (or nothing); {@code impl} serves them.
         *
         * @throws IllegalArgumentException naming the method or record component the host cannot carry
         */
        <T> Builder calls(Class<T> api, T impl);

        /**
         * Registers the node with {@code driver}; it is visible at once.
         *
         * @throws IllegalArgumentException naming the bad value
         * @throws IllegalStateException if the name or number is taken
         */
        CharDevice register(CharDriver driver);
    }
}

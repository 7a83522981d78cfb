package dev.jdm.host.task;

/**
 * Where the security framework keeps a task's security array (its Order:ID entries and module
 * data). Opaque to everything else; published and read with volatile semantics.
 */
public final class SecuritySlot {
    private volatile Object value;

    /** The array, or null before the task was allocated by the security framework. */
    public Object get() {
        return value;
    }

    /** Publishes a new array. */
    public void set(Object array) {
        this.value = array;
    }
}

package dev.jdm.host.module;

/** A reference on one loaded module (an open LU, a task's data). Closing it is idempotent. */
public interface ModulePin extends AutoCloseable {
    /** The module held. */
    String module();

    @Override
    void close();
}

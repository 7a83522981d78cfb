package dev.jdm.abi.sec;

import dev.jdm.abi.Provided;

/** What {@link dev.jdm.abi.ModuleContext#security()} gives a module: the way into the security stack. */
@Provided
public interface SecurityRegistrar {
    /**
     * Registers this module's security module; from now on it is consulted on every hook for every
     * task, until the module is unloaded and the last task holding it is gone. One per module.
     *
     * <p>Fails (and so fails the module's init) if {@code security.stack_locked} is set, if this
     * module already registered one, or if the host ran out of security module ids.
     */
    void register(SecurityModule module);

    /** Whether this module was loaded with {@code mode=permissive}: evaluated and audited, never denying. */
    boolean permissive();

    /** The uid the host runs as: the host's owner, whom privilege checks may treat as an administrator. */
    int hostUid();

    /**
     * Opens this module's log file {@code name} (letters, digits, '-', '_'), granted by the host
     * under its state directory, rotated when it reaches {@code maxBytes}, keeping {@code keep}
     * old files. Closed by the host when the module unloads.
     */
    LogSink openLog(String name, long maxBytes, int keep);
}

package dev.jdm.host.module;

/** Life of a loaded module, as in Linux's {@code enum module_state}. */
public enum ModuleState {
    /** Linked; init is running. */
    COMING,
    /** Init returned; the module is in use. */
    LIVE,
    /** Exit is running, or the module is slated to unload when free. */
    GOING
}

package dev.jdm.host.module;

import dev.jdm.symvers.ModInfo;
import java.util.Map;
import java.util.Set;

/**
 * The seam where a subsystem meets modules. Each subsystem (memory, log, params, grants, block,
 * security, and whatever comes next) registers one service with the {@link ModuleManager}; the
 * manager attaches every service to a module before its init runs and detaches them, in reverse
 * order, once the module is gone. The manager and the module context never name a subsystem: a
 * context accessor such as {@code block()} is the {@link #face()} of whichever service serves it.
 *
 * @param <T> the ABI type a module gets from its context ({@code BlockLayer}, {@code Kmem}, ...)
 */
public interface ModuleService<T> {
    /** The ABI type this service hands to each module; one service per type. */
    Class<T> face();

    /**
     * Load parameters that belong to the host, not the module (the security framework's
     * {@code mode=}): the manager takes them out of what the module sees and hands them to
     * {@link #checkLoad} and {@link ModuleSite#hostParam}.
     */
    default Set<String> hostParams() {
        return Set.of();
    }

    /** Before anything of the module runs (its dependencies are checked the same way); throw to refuse. */
    default void checkLoad(LoadRequest request) {}

    /** Before an unload or a replace; throw to refuse. */
    default void checkUnload(LoadedModule module, boolean force) {}

    /**
     * Whether the service still holds the module after its last module reference went (tasks
     * holding a security module): the manager then slates it, and unloads it when
     * {@link ModuleManager#release} is called.
     */
    default boolean holdUnload(LoadedModule module) {
        return false;
    }

    /** Attaches to one module, before its init runs; a {@code HostException} refuses the load. */
    Attachment<T> attach(ModuleSite module);

    /** What a module is about to load with, as the services check it. */
    record LoadRequest(ModInfo info, String origin, Map<String, String> params, Map<String, String> hostParams, boolean force) {}

    /** Why an attachment ends. */
    enum Detach {
        /** The module unloaded: what it left behind is a leak, reported as such. */
        UNLOADED,
        /** Its init failed: what it made is undone quietly. */
        INIT_FAILED
    }

    /** One service attached to one module. */
    interface Attachment<T> {
        /** What the module's context returns for this service. */
        T face();

        /** The module starts going (before its exit runs) or its init failed: nothing may call into it any more. */
        default void going() {}

        /** The module is gone: release and report what it left behind. Must not throw. */
        void detach(Detach why);

        /** Memory the module holds through this service now (lsmod's size). */
        default long footprint() {
            return 0;
        }

        /** The adapters through which this service serves the module's older ABI shapes. */
        default Set<String> adapters() {
            return Set.of();
        }

        /** An attachment that hands out {@code face} and ends with {@code detach}. */
        static <T> Attachment<T> of(T face, java.util.function.Consumer<Detach> detach) {
            return new Attachment<>() {
                @Override
                public T face() {
                    return face;
                }

                @Override
                public void detach(Detach why) {
                    detach.accept(why);
                }
            };
        }
    }
}

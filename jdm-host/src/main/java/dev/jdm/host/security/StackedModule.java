package dev.jdm.host.security;

import dev.jdm.abi.sec.Decision;
import dev.jdm.abi.sec.SecurityModule;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One registered security module in the stack. Its state only moves forward: live (attaches to new
 * tasks), draining (unloading: enforces for the tasks that hold it, attaches to none), gone (out of
 * the loaded-modules array; never called again).
 */
public final class StackedModule {
    /** Where a module is in its life. */
    public enum State { LIVE, DRAINING, GONE }

    final int id;
    final String name;
    final SecurityModule impl;
    final boolean permissive;
    final boolean observer;
    final Object owner;
    /** Tasks holding data for this module; changes only under the stack lock. */
    final AtomicInteger refs = new AtomicInteger();
    volatile State state = State.LIVE;
    /** Set when a hook timed out: every later vote is a deny until the module is replaced. */
    volatile String failure;
    /** The last failure logged, so a broken module does not flood the log. */
    volatile String lastLogged;
    /** The module manager's module, set when its unload begins, released when the module is gone. */
    volatile Object unloading;

    StackedModule(int id, String name, SecurityModule impl, boolean permissive, Object owner) {
        this.id = id;
        this.name = name;
        this.impl = impl;
        this.permissive = permissive;
        this.owner = owner;
        this.observer = overrides(impl, "decision", Decision.class);
    }

    /** Whether {@code impl}'s class overrides the default of {@code method}. */
    static boolean overrides(SecurityModule impl, String method, Class<?>... params) {
        try {
            return impl.getClass().getMethod(method, params).getDeclaringClass() != SecurityModule.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** The module's name. */
    public String name() {
        return name;
    }

    /** Its unique ID. */
    public int id() {
        return id;
    }

    /** live, draining or gone. */
    public State state() {
        return state;
    }

    /** Whether its denies are only recorded. */
    public boolean permissive() {
        return permissive;
    }

    /** Tasks holding it. */
    public int refs() {
        return refs.get();
    }

    /** Why it fails every check, or null. */
    public String failure() {
        return failure;
    }

    @Override
    public String toString() {
        return name + "#" + id + "(" + state.name().toLowerCase() + ")";
    }
}

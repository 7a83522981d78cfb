package dev.jdm.host.security;

import java.util.Arrays;

/**
 * The array of loaded security modules, immutable and published whole: a check reads it once
 * and never takes a lock. Slots are dense; a module's Order is its index here, so removing one
 * shifts those after it, and tasks' cached Orders for them go stale until their next check fixes
 * them.
 */
final class Snapshot {
    static final Snapshot EMPTY = new Snapshot(new StackedModule[0]);

    final StackedModule[] slots;

    Snapshot(StackedModule[] slots) {
        this.slots = slots;
    }

    Snapshot with(StackedModule m) {
        StackedModule[] s = Arrays.copyOf(slots, slots.length + 1);
        s[slots.length] = m;
        return new Snapshot(s);
    }

    Snapshot without(StackedModule m) {
        return new Snapshot(Arrays.stream(slots).filter(x -> x != m).toArray(StackedModule[]::new));
    }

    /** The Order of a module, or -1. */
    int orderOf(StackedModule m) {
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] == m) {
                return i;
            }
        }
        return -1;
    }
}

package dev.jdm.host.security;

import dev.jdm.abi.sec.TaskCred;

/**
 * A task's security array (LxDM-SM): one {@code (Order:ID, data)} entry per security module the
 * task holds. The entries' set is immutable (a module attached later means a new array published
 * in the task's slot); the Orders are corrected in place by checks, racily on purpose: an int
 * store is atomic, every use verifies the ID first, and a lost correction costs only a rescan.
 */
final class TaskArray {
    static final TaskArray FREED = new TaskArray(null, new int[0], new Object[0], false);

    final TaskCred cred;
    final int[] orderIds;
    final Object[] data;
    /** Whether some module here wants {@code decision()} calls; without one, a check allocates nothing. */
    final boolean observers;

    TaskArray(TaskCred cred, int[] orderIds, Object[] data, boolean observers) {
        this.cred = cred;
        this.orderIds = orderIds;
        this.data = data;
        this.observers = observers;
    }

    int size() {
        return orderIds.length;
    }
}

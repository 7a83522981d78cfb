package dev.jdm.host.security;

import dev.jdm.abi.sec.SecurityModule;
import dev.jdm.abi.sec.TaskCred;
import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import dev.jdm.host.task.Task;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * The loaded security modules and the tasks attached to them. Every change (register, attach a
 * task, free a task, drain, remove) happens under one lock and ends by publishing a new immutable
 * {@link Snapshot} or a new {@link TaskArray}; checks never take the lock.
 */
final class SecurityStack {
    private static final int GONE_HISTORY = 16;

    private final ReentrantLock lock = new ReentrantLock();
    private final int maxId;
    private final BiConsumer<StackedModule, Throwable> hookFailed;
    private final Set<Task> attached = new HashSet<>();
    private final Deque<StackedModule> goneHistory = new ArrayDeque<>();
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private volatile boolean locked;
    private volatile boolean closed;
    private int nextId = 1;
    /** The host's own task: it follows the stack instead of holding modules, or nothing could ever drain. */
    private volatile Task follower;

    SecurityStack(int maxId, BiConsumer<StackedModule, Throwable> hookFailed) {
        this.maxId = maxId;
        this.hookFailed = hookFailed;
    }

    void setFollower(Task task) {
        this.follower = task;
    }

    Snapshot snapshot() {
        return snapshot;
    }

    boolean closed() {
        return closed;
    }

    boolean locked() {
        return locked;
    }

    /** {@code security.stack_locked} was set: from now on nothing registers, drains or leaves. */
    void lock() {
        lock.lock();
        try {
            locked = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds a module at the end of the array and attaches it to every live task.
     *
     * @throws HostException EPERM if the stack is locked, ENOSPC if IDs or slots ran out
     */
    StackedModule register(String name, SecurityModule impl, boolean permissive, Object owner) {
        lock.lock();
        try {
            requireOpen(name + ": security module registration");
            if (nextId > maxId) {
                throw new HostException(Errno.ENOSPC, name + ": security module IDs are exhausted (" + maxId
                        + " registrations since the host started; IDs are never reused); restart the host");
            }
            if (snapshot.slots.length >= OrderId.MAX_SLOTS) {
                throw new HostException(Errno.ENOSPC, name + ": " + OrderId.MAX_SLOTS + " security modules are loaded already");
            }
            StackedModule m = new StackedModule(nextId++, name, impl, permissive, owner);
            Snapshot next = snapshot.with(m);
            int oid = OrderId.of(next.slots.length - 1, m.id);
            List<Runnable> publish = new ArrayList<>();
            for (Task t : attached) {
                TaskArray ta = (TaskArray) t.security().get();
                Object data = taskData(m, ta.cred);
                int n = ta.size();
                int[] oids = Arrays.copyOf(ta.orderIds, n + 1);
                Object[] data2 = Arrays.copyOf(ta.data, n + 1);
                oids[n] = oid;
                data2[n] = data;
                TaskArray grown = new TaskArray(ta.cred, oids, data2, ta.observers || m.observer);
                publish.add(() -> t.security().set(grown));
            }
            m.refs.set(publish.size());
            snapshot = next; // the module enforces from here on, for the tasks below as their arrays appear
            publish.forEach(Runnable::run);
            return m;
        } finally {
            lock.unlock();
        }
    }

    /** Builds a new task's array from the live modules and attaches it. */
    void allocate(Task task, TaskCred cred) {
        lock.lock();
        try {
            requireOpenForTasks();
            StackedModule[] slots = snapshot.slots;
            int[] oids = new int[slots.length];
            Object[] data = new Object[slots.length];
            boolean observers = false;
            int n = 0;
            List<StackedModule> taken = new ArrayList<>();
            try {
                for (int order = 0; order < slots.length; order++) {
                    StackedModule m = slots[order];
                    if (m.state != StackedModule.State.LIVE) {
                        continue; // draining: holds its tasks, attaches to no new one
                    }
                    data[n] = taskData(m, cred);
                    oids[n++] = OrderId.of(order, m.id);
                    observers |= m.observer;
                    m.refs.incrementAndGet();
                    taken.add(m);
                }
            } catch (HostException e) {
                taken.forEach(m -> m.refs.decrementAndGet());
                throw e;
            }
            task.security().set(new TaskArray(cred, Arrays.copyOf(oids, n), Arrays.copyOf(data, n), observers));
            attached.add(task);
        } finally {
            lock.unlock();
        }
    }

    /** A probe array of every live module with no data, for voting on task_alloc before the task exists. */
    TaskArray probe(TaskCred cred) {
        StackedModule[] slots = snapshot.slots;
        int[] oids = new int[slots.length];
        boolean observers = false;
        int n = 0;
        for (int order = 0; order < slots.length; order++) {
            if (slots[order].state == StackedModule.State.LIVE) {
                oids[n++] = OrderId.of(order, slots[order].id);
                observers |= slots[order].observer;
            }
        }
        return new TaskArray(cred, Arrays.copyOf(oids, n), new Object[n], observers);
    }

    private Object taskData(StackedModule m, TaskCred cred) {
        try {
            return m.impl.taskData(cred);
        } catch (Throwable t) {
            hookFailed.accept(m, t);
            throw new HostException(Errno.EACCES, "task_alloc denied by " + m.name + ": taskData() threw " + t + " (fail closed)");
        }
    }

    /**
     * Frees a task: its array is replaced by the freed marker before any module hears of it, then
     * each module's task_free runs and its reference drops.
     *
     * @return modules that became gone (their last holder left while draining)
     */
    List<StackedModule> free(Task task) {
        lock.lock();
        try {
            if (!attached.remove(task)) {
                return List.of();
            }
            TaskArray ta = (TaskArray) task.security().get();
            task.security().set(TaskArray.FREED);
            List<StackedModule> gone = new ArrayList<>();
            StackedModule[] slots = snapshot.slots;
            for (int i = 0; i < ta.size(); i++) {
                int oid = ta.orderIds[i];
                int order = OrderId.order(oid);
                StackedModule m = order < slots.length && slots[order].id == OrderId.id(oid) ? slots[order]
                        : Evaluator.fixup(ta.orderIds, i, oid, slots);
                if (m == null) {
                    continue;
                }
                try {
                    m.impl.taskFree(ta.cred, ta.data[i]);
                } catch (Throwable t) {
                    hookFailed.accept(m, t);
                }
                if (m.refs.decrementAndGet() == 0 && m.state == StackedModule.State.DRAINING) {
                    goneLocked(m);
                    gone.add(m);
                }
            }
            return gone;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts unloading a module: it stops attaching to new tasks and keeps enforcing for those
     * that hold it.
     *
     * @return true if tasks hold it (it goes with the last of them), false if it is gone now
     * @throws HostException EPERM if the stack is locked
     */
    boolean drain(StackedModule m) {
        lock.lock();
        try {
            requireOpen(m.name + ": security module unload");
            if (m.state == StackedModule.State.GONE) {
                return false;
            }
            m.state = StackedModule.State.DRAINING;
            Task f = follower;
            if (f != null && attached.contains(f)) {
                detach(f, m);
            }
            if (m.refs.get() == 0) {
                goneLocked(m);
                return false;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Drops one task's entry for {@code m}: its task_free runs and its reference goes. */
    private void detach(Task t, StackedModule m) {
        TaskArray ta = (TaskArray) t.security().get();
        int n = ta.size();
        int[] oids = new int[n];
        Object[] data = new Object[n];
        boolean observers = false;
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (OrderId.id(ta.orderIds[i]) == m.id) {
                try {
                    m.impl.taskFree(ta.cred, ta.data[i]);
                } catch (Throwable e) {
                    hookFailed.accept(m, e);
                }
                m.refs.decrementAndGet();
                continue;
            }
            for (StackedModule x : snapshot.slots) {
                observers |= x.id == OrderId.id(ta.orderIds[i]) && x.observer;
            }
            oids[k] = ta.orderIds[i];
            data[k++] = ta.data[i];
        }
        t.security().set(new TaskArray(ta.cred, Arrays.copyOf(oids, k), Arrays.copyOf(data, k), observers));
    }

    /** Removes a module at once (failed init, host stop): no hook of it runs after this returns. */
    void gone(StackedModule m) {
        lock.lock();
        try {
            if (m.state != StackedModule.State.GONE) {
                goneLocked(m);
            }
        } finally {
            lock.unlock();
        }
    }

    private void goneLocked(StackedModule m) {
        m.state = StackedModule.State.GONE;
        snapshot = snapshot.without(m);
        goneHistory.addFirst(m);
        while (goneHistory.size() > GONE_HISTORY) {
            goneHistory.removeLast();
        }
    }

    /** Every module in the array, then the recently gone. */
    List<StackedModule> list() {
        lock.lock();
        try {
            List<StackedModule> out = new ArrayList<>(Arrays.asList(snapshot.slots));
            out.addAll(goneHistory);
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Host stop: everything is gone and every later check fails closed; returns what was loaded. */
    List<StackedModule> close() {
        lock.lock();
        try {
            closed = true;
            for (StackedModule m : snapshot.slots) {
                m.state = StackedModule.State.GONE;
            }
            List<StackedModule> was = List.of(snapshot.slots);
            snapshot = Snapshot.EMPTY;
            return was;
        } finally {
            lock.unlock();
        }
    }

    private void requireOpen(String what) {
        if (closed) {
            throw new HostException(Errno.EPERM, what + " refused: the host is stopping");
        }
        if (locked) {
            throw new HostException(Errno.EPERM, what + " refused: security.stack_locked=1 (no security module loads or unloads until the host restarts)");
        }
    }

    private void requireOpenForTasks() {
        if (closed) {
            throw new HostException(Errno.EACCES, "task refused: the host is stopping");
        }
    }
}

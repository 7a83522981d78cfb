package dev.jdm.host.task;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicLong;

/** The live tasks. Ids grow and are never reused. */
public final class TaskRegistry {
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Long, Task> live = new ConcurrentHashMap<>();
    private volatile TaskLifecycle lifecycle = TaskLifecycle.NONE;
    private final List<Consumer<Task>> exitListeners = new CopyOnWriteArrayList<>();

    /** Installs what runs at task creation and exit (the security framework), once at host start. */
    public void setLifecycle(TaskLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    /**
     * Adds what releases a subsystem's per-task resources (LUs a gate task opened) when a task
     * exits. Listeners run before task_free, so nothing they close runs checks for a freed task.
     */
    public void onExit(Consumer<Task> listener) {
        exitListeners.add(listener);
    }

    /**
     * Creates and registers a task.
     *
     * @throws dev.jdm.host.HostException if the security framework refuses it (task_alloc)
     */
    public Task create(String name, Credentials credentials) {
        Task t = new Task(nextId.getAndIncrement(), name, credentials);
        lifecycle.alloc(t);
        live.put(t.id(), t);
        return t;
    }

    /** Ends a task; a second call does nothing. */
    public void exit(Task task) {
        if (live.remove(task.id()) != null) {
            for (Consumer<Task> l : exitListeners) {
                l.accept(task);
            }
            lifecycle.free(task);
        }
    }

    /** Tasks alive now. */
    public Collection<Task> live() {
        return live.values();
    }
}

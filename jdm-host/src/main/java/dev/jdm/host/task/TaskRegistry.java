package dev.jdm.host.task;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The live tasks. Ids grow and are never reused. */
public final class TaskRegistry {
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Long, Task> live = new ConcurrentHashMap<>();

    /** Creates and registers a task. */
    public Task create(String name, Credentials credentials) {
        Task t = new Task(nextId.getAndIncrement(), name, credentials);
        live.put(t.id(), t);
        return t;
    }

    /** Ends a task. */
    public void exit(Task task) {
        live.remove(task.id());
    }

    /** Tasks alive now. */
    public Collection<Task> live() {
        return live.values();
    }
}

package dev.jdm.host.task;

/** What runs when a task is created and when it ends: the security framework's task_alloc and task_free. */
public interface TaskLifecycle {
    /**
     * A task is being created.
     *
     * @throws dev.jdm.host.HostException to refuse it (the task is then not registered)
     */
    void alloc(Task task);

    /** A task ended; called once. */
    void free(Task task);

    /** Nothing. */
    TaskLifecycle NONE = new TaskLifecycle() {
        @Override
        public void alloc(Task task) {}

        @Override
        public void free(Task task) {}
    };
}

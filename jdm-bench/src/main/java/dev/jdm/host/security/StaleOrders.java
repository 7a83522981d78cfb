package dev.jdm.host.security;

import dev.jdm.host.task.Task;

/**
 * Benchmark access to a task's Order:ID entries (same package, another JAR): makes every cached
 * Order point at the wrong slot, as a compaction of the module array would, so the next check
 * takes the slow path (miss, scan, fix).
 */
public final class StaleOrders {
    private StaleOrders() {}

    /** Shifts each entry's Order by one slot (mod {@code slots}), keeping its ID. */
    public static void shift(Task task, int slots) {
        TaskArray ta = (TaskArray) task.security().get();
        int[] oids = ta.orderIds;
        for (int i = 0; i < oids.length; i++) {
            oids[i] = OrderId.of((OrderId.order(oids[i]) + 1) % slots, OrderId.id(oids[i]));
        }
    }
}

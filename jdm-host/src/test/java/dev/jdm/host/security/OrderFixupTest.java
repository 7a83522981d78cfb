package dev.jdm.host.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.abi.sec.SecurityModule;
import dev.jdm.host.task.Task;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Order:ID entries: the fast path hits, a compacted array makes them stale, the first check fixes them. */
class OrderFixupTest {
    @TempDir
    Path tmp;

    private static int[] orders(Task t) {
        TaskArray ta = (TaskArray) t.security().get();
        int[] o = new int[ta.size()];
        for (int i = 0; i < o.length; i++) {
            o[i] = OrderId.order(ta.orderIds[i]);
        }
        return o;
    }

    @Test
    void shouldPackOrderAndId() {
        int oid = OrderId.of(1023, OrderId.MAX_ID);
        assertThat(OrderId.order(oid)).isEqualTo(1023);
        assertThat(OrderId.id(oid)).isEqualTo(OrderId.MAX_ID);
        assertThat(OrderId.id(OrderId.of(5, 7))).isEqualTo(7);
    }

    @Test
    void shouldFixStaleOrdersOnTheFirstCheckAfterTheArrayCompacts() {
        try (StackFixture f = new StackFixture(tmp)) {
            StackedModule a = f.security.register("a", new SecurityModule() { }, false);
            f.security.register("b", new SecurityModule() { }, false);
            f.security.register("c", new SecurityModule() { }, false);
            Task holder = f.task(1);
            AtomicBoolean gone = new AtomicBoolean();
            assertThat(f.security.unregister(a, () -> gone.set(true))).as("held by a task: drains").isTrue();
            assertThat(a.state()).isEqualTo(StackedModule.State.DRAINING);
            Task later = f.task(2);
            assertThat(orders(later)).containsExactly(1, 2); // b and c; a attaches to no new task
            f.tasks.exit(holder);
            assertThat(gone).as("the last holder left: a is gone").isTrue();
            assertThat(a.state()).isEqualTo(StackedModule.State.GONE);
            assertThat(orders(later)).as("stale until checked").containsExactly(1, 2);
            assertThat(f.devOpen(later)).isEqualTo("allow");
            assertThat(orders(later)).as("fixed by the check").containsExactly(0, 1);
            assertThat(f.security.list()).extracting(r -> r.name() + "/" + r.state() + "/" + r.order() + "/" + r.refs())
                    .containsExactly("b/live/0/1", "c/live/1/1", "a/gone/-1/0");
        }
    }

    @Test
    void shouldUnloadAtOnceWhenNoTaskHoldsTheModule() {
        try (StackFixture f = new StackFixture(tmp)) {
            StackedModule a = f.security.register("a", new SecurityModule() { }, false);
            AtomicBoolean gone = new AtomicBoolean();
            assertThat(f.security.unregister(a, () -> gone.set(true))).isFalse();
            assertThat(gone).isTrue();
        }
    }
}

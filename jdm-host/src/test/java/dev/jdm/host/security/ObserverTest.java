package dev.jdm.host.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.abi.sec.BlkIo;
import dev.jdm.abi.sec.BlkOp;
import dev.jdm.abi.sec.Decision;
import dev.jdm.abi.sec.SecurityModule;
import dev.jdm.abi.sec.TaskCred;
import dev.jdm.abi.sec.Vote;
import dev.jdm.host.HostException;
import dev.jdm.host.task.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Observers hear exactly the decisions they ask for; one that cannot say hears all of them. */
class ObserverTest {
    @TempDir
    Path tmp;

    /** Records the hooks of the decisions it is told of; wants only denied blk_io, and everything else. */
    static final class Recorder implements SecurityModule {
        final List<String> heard = new ArrayList<>();
        final List<String> asked = new ArrayList<>();

        @Override
        public boolean wantsDecision(String hook, boolean allowed) {
            asked.add(hook + (allowed ? " allow" : " deny"));
            return !hook.equals("blk_io") || !allowed;
        }

        @Override
        public void decision(Decision d) {
            heard.add(d.hook() + " " + (d.allowed() ? "allow" : "deny") + " " + d.object());
        }
    }

    private static String blkIo(StackFixture f, Task t, long offset) {
        try {
            f.security.checkBlkIo(t, new BlkIo(BlkOp.WRITE, "ram0", offset, 4096));
            return "allow";
        } catch (HostException e) {
            return "deny";
        }
    }

    @Test
    void shouldTellObserversOnlyTheDecisionsTheyWant() {
        try (StackFixture f = new StackFixture(tmp)) {
            Recorder r = new Recorder();
            f.security.register("rec", r, false);
            f.security.register("guard", new SecurityModule() {
                @Override
                public Vote blkIo(TaskCred task, Object data, BlkIo io) {
                    return io.offset() == 0 ? Vote.deny(Vote.EPERM, "not at 0") : Vote.NO_OPINION;
                }
            }, false);
            Task t = f.task(1000);
            assertThat(blkIo(f, t, 4096)).isEqualTo("allow");
            assertThat(blkIo(f, t, 0)).isEqualTo("deny");
            assertThat(f.devOpen(t)).isEqualTo("allow");
            assertThat(r.asked).containsExactly("task_alloc allow", "blk_io allow", "blk_io deny", "dev_open allow");
            assertThat(r.heard).hasSize(3);
            assertThat(r.heard.get(0)).startsWith("task_alloc allow");
            assertThat(r.heard.get(1)).startsWith("blk_io deny").contains("ram0");
            assertThat(r.heard.get(2)).startsWith("dev_open allow");
        }
    }

    @Test
    void shouldTellAnObserverWhoseWishThrowsAndLogIt() {
        try (StackFixture f = new StackFixture(tmp)) {
            List<String> heard = new ArrayList<>();
            f.security.register("confused", new SecurityModule() {
                @Override
                public boolean wantsDecision(String hook, boolean allowed) {
                    throw new IllegalStateException("no idea");
                }

                @Override
                public void decision(Decision d) {
                    heard.add(d.hook());
                }
            }, false);
            assertThat(blkIo(f, f.task(1000), 4096)).isEqualTo("allow");
            assertThat(heard).containsExactly("task_alloc", "blk_io");
            assertThat(f.logText()).contains("confused").contains("wantsDecision() threw java.lang.IllegalStateException: no idea");
        }
    }
}

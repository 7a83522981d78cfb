package dev.jdm.host.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.abi.sec.ChrCall;
import dev.jdm.abi.sec.DevOpen;
import dev.jdm.abi.sec.SecurityModule;
import dev.jdm.abi.sec.TaskCred;
import dev.jdm.abi.sec.Vote;
import dev.jdm.host.HostException;
import dev.jdm.host.task.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkers on several threads create tasks, check hooks and free them, while a mutator registers,
 * unregisters (draining), and replaces modules. Every hook verifies that its module is not closed
 * (no hook after close()), that the task data it got is its own and not freed (no use after free,
 * and Order fix-ups resolved the right module), and the verdicts stay right throughout.
 */
class SecurityConcurrentTest {
    @TempDir
    Path tmp;

    static final Queue<String> VIOLATIONS = new ConcurrentLinkedQueue<>();

    /** Per-task data that knows its owner and whether it was freed. */
    static final class Data {
        final Tracked owner;
        final long task;
        volatile boolean freed;

        Data(Tracked owner, long task) {
            this.owner = owner;
            this.task = task;
        }
    }

    /** A module that allows dev_open and checks every invariant on every call. */
    static class Tracked implements SecurityModule {
        final String name;
        final AtomicBoolean closed = new AtomicBoolean();

        Tracked(String name) {
            this.name = name;
        }

        void verify(TaskCred task, Object data, String where) {
            if (closed.get()) {
                VIOLATIONS.add(name + ": " + where + " after close()");
            }
            if (!(data instanceof Data d) || d.owner != this || d.task != task.taskId()) {
                VIOLATIONS.add(name + ": " + where + " got someone else's data " + data);
            } else if (d.freed) {
                VIOLATIONS.add(name + ": " + where + " got freed data");
            }
        }

        @Override
        public Object taskData(TaskCred task) {
            if (closed.get()) {
                VIOLATIONS.add(name + ": taskData after close()");
            }
            return new Data(this, task.taskId());
        }

        @Override
        public void taskFree(TaskCred task, Object data) {
            verify(task, data, "taskFree");
            ((Data) data).freed = true;
        }

        @Override
        public Vote devOpen(TaskCred task, Object data, DevOpen open) {
            verify(task, data, "devOpen");
            return Vote.ALLOW;
        }

        @Override
        public Vote chrCall(TaskCred task, Object data, ChrCall call) {
            verify(task, data, "chrCall");
            return Vote.NO_OPINION;
        }
    }

    /** Always present: denies chr_call, so no churn may ever lose an enforcing module. */
    static final class Denier extends Tracked {
        Denier() {
            super("denier");
        }

        @Override
        public Vote chrCall(TaskCred task, Object data, ChrCall call) {
            verify(task, data, "chrCall");
            return Vote.deny("never");
        }
    }

    @Test
    void shouldKeepEveryInvariantWhileModulesComeGoDrainAndGetReplaced() throws Exception {
        VIOLATIONS.clear();
        try (StackFixture f = new StackFixture(tmp)) {
            f.security.register("denier", new Denier(), false);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong checks = new AtomicLong();
            ChrCall ioctl = new ChrCall("mem", "ioctl", 0x1234);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int seed = w;
                threads.add(Thread.ofPlatform().start(() -> {
                    Random r = new Random(seed);
                    while (!stop.get()) {
                        Task t = f.task(1000 + r.nextInt(3));
                        for (int i = 0; i < 50; i++) {
                            String out = f.devOpen(t);
                            if (!out.equals("allow")) {
                                VIOLATIONS.add("dev_open denied: " + out);
                            }
                            try {
                                f.security.checkChrCall(t, ioctl);
                                VIOLATIONS.add("chr_call allowed although denier enforces");
                            } catch (HostException e) {
                                if (!e.getMessage().contains("denied by denier: never")) {
                                    VIOLATIONS.add("chr_call: " + e.getMessage());
                                }
                            }
                            checks.addAndGet(2);
                        }
                        f.tasks.exit(t);
                    }
                }));
            }
            Random r = new Random(42);
            List<StackedModule> live = new ArrayList<>();
            List<Tracked> all = new ArrayList<>();
            long end = System.nanoTime() + 3_000_000_000L;
            int n = 0;
            // at most 800 registrations: every one may still hold a slot while it drains, and the
            // stack has 1024 (a quiet machine got through more in 3 s and ran out)
            while (System.nanoTime() < end && n < 800) {
                int op = r.nextInt(3);
                if (op == 0 || live.isEmpty()) {
                    Tracked t = new Tracked("t" + n++);
                    all.add(t);
                    live.add(f.security.register(t.name, t, r.nextBoolean()));
                } else if (op == 1) {
                    StackedModule m = live.remove(r.nextInt(live.size()));
                    Tracked t = (Tracked) m.impl;
                    f.security.unregister(m, () -> t.closed.set(true));
                } else {
                    // replace: the new one is registered before the old one drains
                    StackedModule old = live.remove(r.nextInt(live.size()));
                    Tracked t = new Tracked("t" + n++);
                    all.add(t);
                    live.add(f.security.register(t.name, t, false));
                    Tracked o = (Tracked) old.impl;
                    f.security.unregister(old, () -> o.closed.set(true));
                }
                Thread.sleep(0, 200_000);
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            assertThat(VIOLATIONS).as("invariant violations").isEmpty();
            assertThat(checks.get()).isGreaterThan(1000);
            assertThat(n).isGreaterThan(50);
            for (StackedModule m : live) {
                assertThat(m.state()).isEqualTo(StackedModule.State.LIVE);
                assertThat(m.refs()).as("no task is left: no reference").isZero();
            }
            long closed = all.stream().filter(t -> t.closed.get()).count();
            assertThat(closed).as("every unregistered module drained and closed once its tasks left").isEqualTo(all.size() - live.size());
            assertThat(f.security.list()).noneMatch(row -> row.state().equals("draining"));
        }
    }
}

package dev.jdm.host.security;

import dev.jdm.errno.Errno;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.sec.Decision;
import dev.jdm.abi.sec.DevOpen;
import dev.jdm.abi.sec.SecurityModule;
import dev.jdm.abi.sec.TaskCred;
import dev.jdm.abi.sec.Vote;
import dev.jdm.host.HostException;
import dev.jdm.host.task.Credentials;
import dev.jdm.host.task.Task;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A module that throws, hangs or answers nonsense counts as a deny; so do tasks the framework does not know. */
class FailClosedTest {
    @TempDir
    Path tmp;

    @Test
    void shouldAllowWithNoModulesAndWithModulesThatHaveNoOpinion() {
        try (StackFixture f = new StackFixture(tmp)) {
            Task t = f.task(1000);
            assertThat(f.devOpen(t)).isEqualTo("allow");
            f.security.register("quiet", new SecurityModule() { }, false);
            assertThat(f.devOpen(f.task(1000))).isEqualTo("allow");
            assertThat(f.devOpen(t)).as("a module registered later attaches to existing tasks").isEqualTo("allow");
        }
    }

    @Test
    void shouldDenyWhenAHookThrows() {
        try (StackFixture f = new StackFixture(tmp)) {
            f.security.register("thrower", StackFixture.voting(t -> { throw new IllegalStateException("bug"); }), false);
            assertThat(f.devOpen(f.task(0))).startsWith("EACCES").contains("denied by thrower: thrower failed: hook dev_open threw")
                    .contains("IllegalStateException: bug").contains("fail closed");
            assertThat(f.logText()).contains("thrower: hook dev_open threw java.lang.IllegalStateException: bug; counted as a deny");
        }
    }

    @Test
    void shouldDenyNonsenseVotes() {
        List<Vote> nonsense = List.of(new Vote(Vote.Kind.DENY, 99, "x"), new Vote(Vote.Kind.DENY, Vote.EACCES, " "),
                new Vote(Vote.Kind.DENY, Vote.EPERM, null), new Vote(Vote.Kind.ALLOW, 13, null), new Vote(null, 0, null),
                new Vote(Vote.Kind.NO_OPINION, 0, "why"), new Vote(Vote.Kind.DENY, Vote.EACCES, "two\nlines"));
        for (Vote v : nonsense) {
            try (StackFixture f = new StackFixture(tmp)) {
                f.security.register("odd", StackFixture.voting(t -> v), false);
                assertThat(f.devOpen(f.task(0))).as(String.valueOf(v)).startsWith("EACCES: ").contains("odd failed: hook");
            }
        }
        try (StackFixture f = new StackFixture(tmp)) {
            f.security.register("null", StackFixture.voting(t -> null), false);
            assertThat(f.devOpen(f.task(0))).contains("null failed: hook returned null");
        }
    }

    @Test
    void shouldDenyAHookThatHangsAndKeepDenyingUntilTheModuleGoes() throws Exception {
        try (StackFixture f = new StackFixture(tmp)) {
            f.sysctl.set("security.hook_timeout_ms", "100");
            CountDownLatch never = new CountDownLatch(1);
            StackedModule m = f.security.register("sleeper", StackFixture.voting(t -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Vote.ALLOW; // a late "allow" must not count
                }
                return Vote.ALLOW;
            }), false);
            Task t = f.task(0);
            long start = System.nanoTime();
            assertThat(f.devOpen(t)).startsWith("EACCES").contains("sleeper failed: hook dev_open did not return within 100 ms");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(10_000);
            assertThat(Thread.currentThread().isInterrupted()).as("the caller's interrupt status is not left set").isFalse();
            assertThat(f.devOpen(t)).as("a module that hung fails every later check").contains("did not return");
            assertThat(f.security.list()).anyMatch(r -> r.name().equals("sleeper") && r.failure().contains("did not return"));
            f.tasks.exit(t);
            f.security.unregister(m);
            assertThat(f.devOpen(f.task(0))).isEqualTo("allow");
        }
    }

    @Test
    void shouldRecordButNeverDenyInPermissiveMode() {
        try (StackFixture f = new StackFixture(tmp)) {
            List<Decision> seen = new CopyOnWriteArrayList<>();
            f.security.register("shadow", StackFixture.voting(t -> Vote.deny("would deny")), true);
            f.security.register("auditor", new SecurityModule() {
                @Override
                public void decision(Decision d) {
                    seen.add(d);
                }
            }, false);
            assertThat(f.devOpen(f.task(1000))).isEqualTo("allow");
            Decision d = seen.stream().filter(x -> x.hook().equals("dev_open")).findFirst().orElseThrow();
            assertThat(d.allowed()).isTrue();
            assertThat(d.votes()).extracting(v -> v.module() + ":" + v.permissive() + ":" + v.vote().kind())
                    .containsExactly("auditor:false:NO_OPINION", "shadow:true:DENY");
        }
    }

    @Test
    void shouldRefuseTasksItDoesNotKnowOrThatExited() {
        try (StackFixture f = new StackFixture(tmp)) {
            Task stranger = new Task(99, "stranger", new Credentials(0, 0, -1));
            assertThat(f.devOpen(stranger)).startsWith("EACCES").contains("has no security array");
            Task t = f.task(0);
            f.tasks.exit(t);
            assertThat(f.devOpen(t)).startsWith("EACCES").contains("has exited");
            Task u = f.task(0);
            f.security.close();
            assertThat(f.devOpen(u)).startsWith("EACCES").contains("the host is stopping");
        }
    }

    @Test
    void shouldRefuseTaskAllocWhenAModuleDenies() {
        try (StackFixture f = new StackFixture(tmp)) {
            f.security.register("gatekeeper", new SecurityModule() {
                @Override
                public Vote taskAlloc(TaskCred task) {
                    return task.uid() == 0 ? Vote.ALLOW : Vote.deny(Vote.EPERM, "only root may connect");
                }
            }, false);
            assertThatThrownBy(() -> f.task(1000)).isInstanceOf(HostException.class).hasMessageContaining("task_alloc")
                    .hasMessageContaining("only root may connect");
            assertThat(f.tasks.live()).isEmpty();
            assertThat(f.devOpen(f.task(0))).isEqualTo("allow");
        }
    }

    @Test
    void shouldLockTheStackOneWay() {
        try (StackFixture f = new StackFixture(tmp)) {
            StackedModule m = f.security.register("a", new SecurityModule() { }, false);
            f.sysctl.set("security.stack_locked", "1");
            assertThatThrownBy(() -> f.security.register("b", new SecurityModule() { }, false))
                    .isInstanceOf(HostException.class).hasMessageContaining("security.stack_locked=1")
                    .extracting(e -> ((HostException) e).code()).isEqualTo(Errno.EPERM);
            assertThatThrownBy(() -> f.security.unregister(m)).hasMessageContaining("security.stack_locked=1");
            assertThatThrownBy(() -> f.sysctl.set("security.stack_locked", "0")).hasMessageContaining("cannot be cleared");
            assertThat(m.state()).isEqualTo(StackedModule.State.LIVE);
        }
    }

    @Test
    void shouldRefuseRegistrationOnceIdsAreExhaustedAndNeverReuseThem() {
        try (StackFixture f = new StackFixture(tmp, 3)) {
            for (int i = 0; i < 3; i++) {
                StackedModule m = f.security.register("m" + i, new SecurityModule() { }, false);
                assertThat(m.id()).isEqualTo(i + 1);
                f.security.unregister(m);
            }
            assertThatThrownBy(() -> f.security.register("m4", new SecurityModule() { }, false)).isInstanceOf(HostException.class)
                    .hasMessageContaining("IDs are exhausted").extracting(e -> ((HostException) e).code()).isEqualTo(Errno.ENOSPC);
            assertThat(f.devOpen(f.task(0))).isEqualTo("allow");
        }
    }

    @Test
    void shouldPassEachModuleItsOwnTaskData() {
        try (StackFixture f = new StackFixture(tmp)) {
            class Tagged implements SecurityModule {
                final String tag;

                Tagged(String tag) {
                    this.tag = tag;
                }

                @Override
                public Object taskData(TaskCred task) {
                    return tag + ":" + task.taskId();
                }

                @Override
                public Vote devOpen(TaskCred task, Object data, DevOpen open) {
                    return data.equals(tag + ":" + task.taskId()) ? Vote.ALLOW : Vote.deny("got " + data);
                }
            }
            Task early = f.task(5);
            f.security.register("x", new Tagged("x"), false);
            f.security.register("y", new Tagged("y"), false);
            assertThat(f.devOpen(early)).isEqualTo("allow");
            assertThat(f.devOpen(f.task(6))).isEqualTo("allow");
        }
    }
}

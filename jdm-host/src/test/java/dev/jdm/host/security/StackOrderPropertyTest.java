package dev.jdm.host.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.abi.sec.Vote;
import dev.jdm.host.task.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded randomized property test: random sets of modules with random votes (including failures
 * and permissive modules), registered in random orders and with random churn that leaves tasks'
 * Orders stale, give the same verdict and the same reason, and the verdict is deny exactly when
 * an enforcing module denies or fails.
 */
class StackOrderPropertyTest {
    @TempDir
    Path tmp;

    enum Kind { ALLOW, NO_OPINION, EACCES, EPERM, THROW, NULL, BAD_ERRNO }

    record Spec(String name, Kind kind, boolean permissive) {}

    static Vote vote(Spec s) {
        return switch (s.kind) {
            case ALLOW -> Vote.ALLOW;
            case NO_OPINION -> Vote.NO_OPINION;
            case EACCES -> Vote.deny("reason of " + s.name);
            case EPERM -> Vote.deny(Vote.EPERM, "privilege of " + s.name);
            case THROW -> throw new IllegalStateException("boom in " + s.name);
            case NULL -> null;
            case BAD_ERRNO -> Vote.deny(99, "odd " + s.name);
        };
    }

    private String outcome(List<Spec> order, Random churn) {
        try (StackFixture f = new StackFixture(tmp)) {
            // churn: modules that come and go before and between the real ones shift every Order
            List<StackedModule> fillers = new ArrayList<>();
            for (Spec s : order) {
                if (churn.nextBoolean()) {
                    fillers.add(f.security.register("filler", StackFixture.voting(t -> Vote.NO_OPINION), false));
                }
                f.security.register(s.name, StackFixture.voting(t -> vote(s)), s.permissive);
            }
            Task t = f.task(1000);
            fillers.forEach(m -> f.security.unregister(m));
            Task other = f.task(1001);
            f.tasks.exit(t); // fillers go now: the array compacts and `other` holds stale Orders
            String first = f.devOpen(other).replace("uid=1001", "");
            String second = f.devOpen(other).replace("uid=1001", ""); // after the fix-up
            assertThat(second).isEqualTo(first);
            return first;
        }
    }

    @Test
    void shouldGiveTheSameVerdictAndReasonInEveryRegistrationOrder() {
        for (long seed = 0; seed < 300; seed++) {
            Random r = new Random(seed);
            int n = r.nextInt(7);
            List<Spec> specs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                specs.add(new Spec("m" + r.nextInt(5) + "_" + i, Kind.values()[r.nextInt(Kind.values().length)], r.nextInt(4) == 0));
            }
            String expected = outcome(specs, new Random(seed * 31));
            for (int p = 0; p < 3; p++) {
                List<Spec> shuffled = new ArrayList<>(specs);
                Collections.shuffle(shuffled, r);
                assertThat(outcome(shuffled, new Random(seed * 17 + p))).as("seed %d order %s", seed, shuffled).isEqualTo(expected);
            }
            boolean denies = specs.stream().anyMatch(s -> !s.permissive && s.kind != Kind.ALLOW && s.kind != Kind.NO_OPINION);
            assertThat(expected.equals("allow")).as("seed %d: %s -> %s", seed, specs, expected).isEqualTo(!denies);
        }
    }

    @Test
    void shouldReportFailuresBeforeEaccesBeforeEpermAndThenByModuleName() {
        List<Spec> specs = List.of(new Spec("b", Kind.EPERM, false), new Spec("a", Kind.EPERM, false));
        assertThat(outcome(specs, new Random(1))).startsWith("EPERM").contains("denied by a: privilege of a");
        specs = List.of(new Spec("a", Kind.EPERM, false), new Spec("z", Kind.EACCES, false));
        assertThat(outcome(specs, new Random(1))).startsWith("EACCES").contains("denied by z: reason of z");
        specs = List.of(new Spec("a", Kind.EACCES, false), new Spec("y", Kind.THROW, false), new Spec("x", Kind.EACCES, true));
        assertThat(outcome(specs, new Random(1))).startsWith("EACCES").contains("denied by y: y failed: hook dev_open threw")
                .contains("boom in y");
    }
}

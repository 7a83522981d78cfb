package dev.jdm.isolation.confine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfinementPlanTest {
    private final ConfinementPlan plan = new ConfinementPlan(1000, 1000,
            List.of(Grant.read(Path.of("/usr/share")), Grant.readWrite(Path.of("/var/tmp/x")), Grant.readExecute(Path.of("/opt/jdk"))),
            new ResourceLimits(1L << 31, 128, 64), false);

    @Test
    void shouldSurviveTheControlChannel() throws Exception {
        assertThat(ConfinementPlan.decode(plan.encode())).isEqualTo(plan);
        assertThat(ConfinementPlan.decode(plan.withBindPort(5005).encode()).bindPort()).isEqualTo(5005);
        assertThatThrownBy(() -> plan.withBindPort(70_000)).hasMessage("a TCP port is 1-65535 (0: none), not 70000");
    }

    @Test
    void shouldRefuseMalformedPlans() {
        byte[] b = plan.encode();
        ByteBuffer.wrap(b).putInt(0, 9);
        assertThatThrownBy(() -> ConfinementPlan.decode(b)).hasMessage("confinement plan version 9, expected 2");
        byte[] c = plan.encode();
        ByteBuffer.wrap(c).putInt(12, 100_000);
        assertThatThrownBy(() -> ConfinementPlan.decode(c)).hasMessage("confinement plan lists 100000 grants, at most 256");
        byte[] d = java.util.Arrays.copyOf(plan.encode(), plan.encode().length + 1);
        assertThatThrownBy(() -> ConfinementPlan.decode(d)).hasMessage("confinement plan has 1 bytes after its end");
        assertThatThrownBy(() -> new ConfinementPlan(0, 0, List.of(), ResourceLimits.NONE, false)).hasMessage("a domain cannot drop to uid or gid 0");
        assertThatThrownBy(() -> new Grant(Path.of("relative"), Grant.Access.READ)).hasMessage("a grant needs an absolute path, not relative");
    }

    @Test
    void shouldRefuseAKernelWithoutLandlockUnlessOptedOut() throws Exception {
        assertThatThrownBy(() -> Confinement.decide(0, "ENOSYS (Function not implemented)", false))
                .isInstanceOf(ConfinementException.class)
                .hasMessageStartingWith("confinement step landlock_create_ruleset(VERSION) failed: Landlock is not available (ENOSYS (Function not implemented))");
        assertThat(Confinement.decide(0, "EOPNOTSUPP (Operation not supported)", true)).isZero();
        assertThat(Confinement.decide(7, null, false)).isEqualTo(7);
    }

    @Test
    void shouldHandleEveryRightTheProbedAbiKnows() {
        assertThat(Landlock.handledFs(1)).isEqualTo(0x1FFF);
        assertThat(Landlock.handledFs(2)).isEqualTo(0x3FFF);
        assertThat(Landlock.handledFs(4)).isEqualTo(0x7FFF);
        assertThat(Landlock.handledFs(7)).isEqualTo(0xFFFF);
        assertThat(Landlock.rights(Grant.Access.READ, 7)).isEqualTo(Landlock.READ_FILE | Landlock.READ_DIR);
        assertThat(Landlock.rights(Grant.Access.READ_WRITE, 1) & Landlock.TRUNCATE).isZero(); // unknown to ABI 1
        assertThat(Landlock.rights(Grant.Access.READ_WRITE, 7) & Landlock.EXECUTE).isZero();
        assertThat(Landlock.rights(Grant.Access.READ_WRITE, 7) & Landlock.IOCTL_DEV).isZero();
    }

    @Test
    void shouldProbeThisKernel() throws Exception {
        assertThat(Landlock.abiVersion()).as("Landlock ABI of this kernel").isGreaterThanOrEqualTo(1);
    }
}

package dev.jdm.bench;

import dev.jdm.abi.sec.DevOpen;
import dev.jdm.abi.sec.DeviceKind;
import dev.jdm.abi.sec.SecurityModule;
import dev.jdm.abi.sec.TaskCred;
import dev.jdm.abi.sec.Vote;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.security.Security;
import dev.jdm.host.security.StaleOrders;
import dev.jdm.host.sysctl.Sysctl;
import dev.jdm.host.task.Credentials;
import dev.jdm.host.task.Task;
import dev.jdm.host.task.TaskRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One dev_open check through the security facade with 0, 1 or 4 modules registered. Targets:
 * 0 modules at most 5 ns, 1 at most 20 ns, 4 on the fast path at most 60 ns. {@code slowPath}
 * makes every cached Order stale before each check (miss, scan, fix); {@code staleOnly} is the cost
 * of making them stale, to subtract.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SecurityCheckBench {
    @Param({"0", "1", "4"})
    int modules;

    private Security security;
    private Task task;
    private final DevOpen ram0 = new DevOpen(DeviceKind.BLOCK, "ram0", 0, 6, 0660, DevOpen.READ);

    /** A module with a realistic small decision: owner/group/mode, like caps. */
    static final class ModeCheck implements SecurityModule {
        @Override
        public Vote devOpen(TaskCred t, Object data, DevOpen d) {
            int bits = t.uid() == d.ownerUid() ? d.mode() >> 6 : t.gid() == d.groupGid() ? d.mode() >> 3 : d.mode();
            return (bits & d.access()) == d.access() ? Vote.ALLOW : Vote.deny("mode");
        }
    }

    @Setup
    public void setUp() throws Exception {
        Path dir = Files.createTempDirectory("jdm-bench-sec");
        security = new Security(new Sysctl(), new LogRing(1024, null, () -> 0), dir);
        TaskRegistry tasks = new TaskRegistry();
        tasks.setLifecycle(security);
        for (int i = 0; i < modules; i++) {
            security.register("m" + i, new ModeCheck(), false);
        }
        task = tasks.create("bench", new Credentials(1000, 6, -1));
    }

    @TearDown
    public void tearDown() {
        security.close();
    }

    @Benchmark
    public void fastPath() {
        security.checkDevOpen(task, ram0);
    }

    @Benchmark
    public void slowPath() {
        if (modules > 0) {
            StaleOrders.shift(task, modules);
        }
        security.checkDevOpen(task, ram0);
    }

    @Benchmark
    public void staleOnly() {
        if (modules > 0) {
            StaleOrders.shift(task, modules);
        }
    }
}

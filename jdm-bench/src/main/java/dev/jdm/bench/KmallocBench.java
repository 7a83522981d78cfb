package dev.jdm.bench;

import dev.jdm.abi.mem.Kmem;
import dev.jdm.host.mem.ModuleKmem;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** kmalloc/kfree of 64 bytes on one thread. Target: at least 20 M pairs/s. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class KmallocBench {
    private ModuleKmem kmem;

    @Setup
    public void setUp() {
        kmem = new ModuleKmem("bench", () -> false, () -> Long.MAX_VALUE);
    }

    @TearDown
    public void tearDown() {
        kmem.reclaim();
    }

    @Benchmark
    public long kmallocKfree64() {
        MemorySegment s = kmem.kmalloc(64, Kmem.GFP_KERNEL);
        long a = s.address();
        kmem.kfree(s);
        return a;
    }
}

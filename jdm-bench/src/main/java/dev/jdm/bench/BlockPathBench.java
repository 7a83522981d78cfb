package dev.jdm.bench;

import dev.jdm.host.block.BlockRegistry;
import dev.jdm.host.block.LuHandle;
import java.lang.foreign.Arena;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The block layer's cost per request: 4 KiB reads and writes through an LU (checks, queue,
 * completion, accounting) to a memory driver, against the bare 4 KiB copy the driver does.
 * The ratio direct/path is the layer's overhead factor; compare rows, not absolute numbers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Threads(4)
public class BlockPathBench {
    static final long SIZE = BenchDisks.SIZE;
    private MemorySegment disk;
    private LuHandle lu;

    @Setup
    public void setUp() {
        disk = Arena.ofAuto().allocate(SIZE, 4096);
        BlockRegistry registry = BenchDisks.registry();
        registry.forEmbedder("bench").device("bench0").size(SIZE).register(r -> BenchDisks.serve(disk, r));
        lu = registry.open("bench0", "bench");
    }

    @Benchmark
    public int read4kThroughLu(BenchDisks.Buffer b) throws InterruptedException {
        return lu.read(b.offset(), b.buf);
    }

    @Benchmark
    public int write4kThroughLu(BenchDisks.Buffer b) throws InterruptedException {
        return lu.write(b.offset(), b.buf, 0);
    }

    @Benchmark
    public MemorySegment read4kDirect(BenchDisks.Buffer b) {
        return b.buf.copyFrom(disk.asSlice(b.offset(), 4096));
    }
}

package dev.jdm.bench;

import dev.jdm.abi.blk.BlockRequest;
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
 * The cost of serving a {@code JDM_1.0} {@code BlockDriver} through the adapter over the
 * {@code JDM_1.1} batched contract: the same memory driver registered both ways, 4 KiB reads and
 * writes through the whole LU path. {@code *Jdm10} / {@code *Jdm11} is the adapter's cost factor
 * (target: at least 0.95, i.e. at most 5% slower). One thread, so that the rows measure the path
 * and not the contention of two cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Threads(1)
public class BlockAdapterBench {
    static final long SIZE = BenchDisks.SIZE;
    private MemorySegment disk;
    private LuHandle old;
    private LuHandle batched;

    private void serve(BlockRequest r) {
        BenchDisks.serve(disk, r);
    }

    @Setup
    public void setUp() {
        disk = Arena.ofAuto().allocate(SIZE, 4096);
        BlockRegistry registry = BenchDisks.registry();
        registry.forEmbedder("bench10").device("old0").size(SIZE).register(this::serve);
        registry.forEmbedder("bench11").device("new0").size(SIZE).registerQueue(batch -> {
            for (int i = 0, n = batch.size(); i < n; i++) {
                serve(batch.get(i));
            }
        });
        old = registry.open("old0", "bench");
        batched = registry.open("new0", "bench");
    }

    @Benchmark
    public int read4kJdm10(BenchDisks.Buffer b) throws InterruptedException {
        return old.read(b.offset(), b.buf);
    }

    @Benchmark
    public int read4kJdm11(BenchDisks.Buffer b) throws InterruptedException {
        return batched.read(b.offset(), b.buf);
    }

    @Benchmark
    public int write4kJdm10(BenchDisks.Buffer b) throws InterruptedException {
        return old.write(b.offset(), b.buf, 0);
    }

    @Benchmark
    public int write4kJdm11(BenchDisks.Buffer b) throws InterruptedException {
        return batched.write(b.offset(), b.buf, 0);
    }
}

package dev.jdm.bench;

import dev.jdm.host.Host;
import dev.jdm.host.block.LuHandle;
import dev.jdm.symvers.JarContents;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The same ramdisk JAR colocated and in an isolated domain, through the host's block layer: 4 KiB
 * random reads and writes and 1 MiB sequential reads, four threads. Targets: isolated at
 * least 0.7x colocated on 4 KiB, 0.9x on 1 MiB. Run through {@link #main} ({@code java
 * --enable-native-access=ALL-UNNAMED -cp jdm-bench/target/benchmarks.jar dev.jdm.bench.DomainBlockBench},
 * the module from {@code -Djdm.bench.ramdisk=PATH}, default {@code jdm-cli/target/modules/ramdisk.jar})
 * to get the isolated/colocated ratios of the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Threads(4)
public class DomainBlockBench {
    static final long SIZE = 256L << 20;

    @Param({"colocated", "isolated"})
    public String domain;

    private Path dir;
    private Host host;
    private LuHandle lu;

    @State(Scope.Thread)
    public static class Buffers {
        final MemorySegment small = Arena.ofAuto().allocate(4096, 4096);
        final MemorySegment large = Arena.ofAuto().allocate(1 << 20, 4096);
        long sequential = ThreadLocalRandom.current().nextLong(SIZE >> 20) << 20;
    }

    @Setup(Level.Trial)
    public void start() throws IOException, InterruptedException {
        dir = Files.createTempDirectory("jdm-domain-bench");
        host = Host.start(new Host.Options(null, dir.resolve("gate.sock"), dir.resolve("state"), Files.createDirectories(dir.resolve("none")), null));
        Path jar = Path.of(System.getProperty("jdm.bench.ramdisk", "jdm-cli/target/modules/ramdisk.jar"));
        Map<String, String> params = domain.equals("isolated")
                ? Map.of("size", Long.toString(SIZE), "name", "bench0", "domain", "isolated:bench")
                : Map.of("size", Long.toString(SIZE), "name", "bench0");
        host.modules().load(JarContents.read(jar), jar.toString(), params, false);
        lu = host.block().open("bench0", "bench");
        MemorySegment fill = Arena.ofAuto().allocate(1 << 20, 4096);
        for (long off = 0x10000; off < SIZE; off += fill.byteSize()) { // every page above the boot guard written once
            lu.write(off, fill.asSlice(0, Math.min(fill.byteSize(), SIZE - off)), 0);
        }
    }

    @Benchmark
    public int randomRead4k(Buffers b) throws InterruptedException {
        return lu.read(ThreadLocalRandom.current().nextLong(SIZE >> 12) << 12, b.small);
    }

    @Benchmark
    public int randomWrite4k(Buffers b) throws InterruptedException {
        return lu.write((16 + ThreadLocalRandom.current().nextLong((SIZE >> 12) - 16)) << 12, b.small, 0);
    }

    @Benchmark
    public int sequentialRead1m(Buffers b) throws InterruptedException {
        b.sequential = (b.sequential + (1 << 20)) % SIZE;
        return lu.read(b.sequential, b.large);
    }

    @TearDown(Level.Trial)
    public void stop() {
        lu.close();
        host.close();
    }

    /** Runs the benchmark and prints isolated/colocated throughput per operation. */
    public static void main(String[] args) throws Exception {
        var results = new org.openjdk.jmh.runner.Runner(new org.openjdk.jmh.runner.options.OptionsBuilder()
                .parent(new org.openjdk.jmh.runner.options.CommandLineOptions(args))
                .include(DomainBlockBench.class.getName() + "\\.").build()).run();
        Map<String, Double> colocated = new TreeMap<>();
        Map<String, Double> isolated = new TreeMap<>();
        for (var r : results) {
            String op = r.getParams().getBenchmark().substring(r.getParams().getBenchmark().lastIndexOf('.') + 1);
            (r.getParams().getParam("domain").equals("isolated") ? isolated : colocated).put(op, r.getPrimaryResult().getScore());
        }
        System.out.println("isolated / colocated throughput (ops/s), same run:");
        for (var e : colocated.entrySet()) {
            Double iso = isolated.get(e.getKey());
            if (iso != null) {
                System.out.printf("  %-18s %12.0f / %12.0f = %.2f%n", e.getKey(), iso, e.getValue(), iso / e.getValue());
            }
        }
    }
}

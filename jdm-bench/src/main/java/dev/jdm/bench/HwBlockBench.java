package dev.jdm.bench;

import dev.jdm.host.Host;
import dev.jdm.host.block.LuHandle;
import dev.jdm.hw.emu.RamBacking;
import dev.jdm.hw.emu.virtio.VirtioBlkDevice;
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
 * The register-level virtio-blk driver on the emulated device (RAM backing), colocated and in an
 * isolated domain, on a device serving kicks inline (as the host's board plugs it) and on one whose workers serve
 * them, against the ramdisk driver, all through the host's block layer: 4 KiB random reads and writes, 1 MiB sequential
 * reads and writes, four threads. Target: virtio-blk at least 0.8x ramdisk on 1 MiB sequential.
 * At the end of the virtio-blk trial it prints the device's interrupt delivery latency (raise to
 * handler start, median and p99). Run through {@link #main} ({@code java --enable-native-access=ALL-UNNAMED
 * -cp jdm-bench/target/benchmarks.jar dev.jdm.bench.HwBlockBench}; modules from
 * {@code -Djdm.bench.modules=DIR}, default {@code jdm-cli/target/modules}) for the ratios of one run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Threads(4)
public class HwBlockBench {
    static final long SIZE = 256L << 20;

    @Param({"ramdisk", "virtio-blk", "virtio-blk-workers", "virtio-blk-isolated", "virtio-blk-isolated-workers"})
    public String driver;

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
        dir = Files.createTempDirectory("jdm-hw-bench");
        host = Host.start(new Host.Options(null, dir.resolve("gate.sock"), dir.resolve("state"), Files.createDirectories(dir.resolve("none")), null));
        Path modules = Path.of(System.getProperty("jdm.bench.modules", "jdm-cli/target/modules"));
        String name;
        if (driver.startsWith("virtio-blk")) {
            // virtio-blk-workers: the device's own threads serve every kick, not the thread that wrote the doorbell
            host.board().plug(new VirtioBlkDevice(new RamBacking(SIZE), "bench", false, VirtioBlkDevice.DEFAULT_WORKERS, !driver.endsWith("workers")));
            host.modules().load(JarContents.read(modules.resolve("virtio-blk.jar")), "virtio-blk.jar",
                    driver.contains("isolated") ? Map.of("domain", "isolated:bench") : Map.of(), false);
            name = "vda";
        } else {
            host.modules().load(JarContents.read(modules.resolve("ramdisk.jar")), "ramdisk.jar", Map.of("size", Long.toString(SIZE), "name", "bench0"), false);
            name = "bench0";
        }
        lu = host.block().open(name, "bench");
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

    @Benchmark
    public int sequentialWrite1m(Buffers b) throws InterruptedException {
        b.sequential = Math.max(1 << 20, (b.sequential + (1 << 20)) % SIZE);
        return lu.write(b.sequential, b.large, 0);
    }

    @TearDown(Level.Trial)
    public void stop() {
        var latency = host.board().interruptLatency("0001:00:01.0");
        if (latency.isPresent() && latency.get().samples() < 100) {
            System.out.printf("%n# %s: %d interrupt(s) only: its submitters reaped the completions (no median of so few)%n", driver, latency.get().samples());
        } else if (latency.isPresent()) {
            var l = latency.get();
            System.out.printf("%n# %s interrupt delivery, device raise to the host's handler start: median %.1f us, p99 %.1f us (%d samples)%n",
                    driver, l.medianNanos() / 1e3, l.p99Nanos() / 1e3, l.samples());
            host.domains().find("bench").ifPresent(d -> d.interruptTransitMedian().ifPresent(t -> System.out.printf(
                    "# %s: then on to the domain's handler start: median %.1f us more%n", driver, t / 1e3)));
        }
        lu.close();
        host.close();
    }

    /** Runs the benchmark and prints virtio-blk/ramdisk throughput per operation. */
    public static void main(String[] args) throws Exception {
        var results = new org.openjdk.jmh.runner.Runner(new org.openjdk.jmh.runner.options.OptionsBuilder()
                .parent(new org.openjdk.jmh.runner.options.CommandLineOptions(args))
                .include(HwBlockBench.class.getName() + "\\.").build()).run();
        Map<String, Map<String, Double>> byDriver = new TreeMap<>();
        for (var r : results) {
            String op = r.getParams().getBenchmark().substring(r.getParams().getBenchmark().lastIndexOf('.') + 1);
            byDriver.computeIfAbsent(r.getParams().getParam("driver"), k -> new TreeMap<>()).put(op, r.getPrimaryResult().getScore());
        }
        Map<String, Double> ram = byDriver.getOrDefault("ramdisk", Map.of());
        for (String d : new String[] {"virtio-blk", "virtio-blk-workers", "virtio-blk-isolated", "virtio-blk-isolated-workers"}) {
            Map<String, Double> v = byDriver.getOrDefault(d, Map.of());
            System.out.println(d + " / ramdisk throughput (ops/s), same run:");
            for (var e : ram.entrySet()) {
                Double x = v.get(e.getKey());
                if (x != null) {
                    System.out.printf("  %-18s %12.0f / %12.0f = %.2f%n", e.getKey(), x, e.getValue(), x / e.getValue());
                }
            }
        }
    }
}

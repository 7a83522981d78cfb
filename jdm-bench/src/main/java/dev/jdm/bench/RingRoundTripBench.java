package dev.jdm.bench;

import dev.jdm.isolation.channel.FdDoorbell;
import dev.jdm.isolation.channel.Frame;
import dev.jdm.isolation.channel.UnixSocket;
import dev.jdm.isolation.confine.ConfinementPlan;
import dev.jdm.isolation.confine.ResourceLimits;
import dev.jdm.isolation.process.DomainContext;
import dev.jdm.isolation.process.DomainEntry;
import dev.jdm.isolation.process.DomainLauncher;
import dev.jdm.isolation.process.DomainProcess;
import dev.jdm.isolation.process.DomainSpec;
import dev.jdm.isolation.ring.RegionLayout;
import dev.jdm.isolation.ring.RequestDescriptor;
import dev.jdm.isolation.ring.RingClient;
import dev.jdm.isolation.ring.RingServer;
import dev.jdm.isolation.sys.Sys;
import dev.jdm.isolation.transport.RingTransport;
import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Request-to-completion round trip between this JVM and a confined domain JVM (target:
 * at most 20 us median): {@code ring} submits one 4 KiB request through the shared-memory ring and
 * waits for its completion; the domain echoes it. The peer in the same run, {@code socketMessage},
 * sends the same 64-byte descriptor through a Unix stream socket and reads the answer, as a design
 * without shared memory would; {@code ring / socketMessage} is the ring's cost factor. {@code
 * doorbell} chooses eventfd or a socket byte; {@code spinMicros} how long each side busy-polls
 * before it sleeps (0: sleep at once, so every round trip pays two doorbells and two wake-ups).
 * Sample mode: JMH prints p50, p90, p99 and p99.99. Run through {@link #main} ({@code java
 * --enable-native-access=ALL-UNNAMED -cp jdm-bench/target/benchmarks.jar
 * dev.jdm.bench.RingRoundTripBench}) it also prints the ring/socket ratios of the percentiles.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Threads(1)
public class RingRoundTripBench {
    static final int PEER_SOCKET = 40;

    @Param({"EVENTFD", "SOCKET"})
    public FdDoorbell.Kind doorbell;

    @Param({"0", "50"})
    public long spinMicros;

    private DomainProcess domain;
    private RingTransport.HostEnd end;
    private RingClient client;
    private int buffer;
    private UnixSocket peer;
    private MemorySegment message;

    /** The domain side: echoes ring requests, and socket messages on a second thread. */
    public static final class EchoDomain implements DomainEntry {
        @Override
        public void run(DomainContext context) throws Exception {
            long spin = Long.parseLong(context.args().get(0));
            Frame f = context.channel().expect(PEER_SOCKET);
            int fd = f.fds()[0];
            Thread echo = Thread.ofPlatform().daemon().start(() -> {
                MemorySegment b = Arena.ofAuto().allocate(64);
                try {
                    while (Sys.read(fd, b, 64) == 64) {
                        Sys.write(fd, b, 64);
                    }
                } catch (Exception e) {
                    // the host went away
                }
            });
            try (RingTransport.DomainEnd end = RingTransport.accept(context.channel(), spin, -1)) {
                RingServer server = end.server();
                for (;;) {
                    RequestDescriptor r = server.take();
                    if (r.op() == 0) {
                        server.complete(r, 0, 0);
                        break;
                    }
                    server.complete(r, r.length(), r.length());
                }
            }
            echo.interrupt();
        }
    }

    @Setup
    public void setUp() throws Exception {
        List<Path> cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)).map(p -> Path.of(p).toAbsolutePath()).toList();
        int id = Sys.geteuid() == 0 ? 65534 : -1;
        ConfinementPlan plan = new ConfinementPlan(id, id, List.of(), new ResourceLimits(2L << 30, 256, 1024), false);
        long spinNanos = spinMicros * 1000;
        domain = DomainLauncher.start(DomainSpec.of("bench", cp, EchoDomain.class, plan, Long.toString(spinNanos)));
        UnixSocket[] pair = UnixSocket.pair(UnixSocket.SOCK_STREAM);
        domain.channel().send(PEER_SOCKET, new byte[0], pair[1].fd());
        pair[1].close();
        peer = pair[0];
        message = Arena.ofAuto().allocate(64);
        end = RingTransport.offer(domain.channel(), new RegionLayout(64, 8, 4096), doorbell, spinNanos, 10_000);
        client = end.client();
        buffer = client.buffers().allocate();
    }

    @Benchmark
    public int ring() throws Exception {
        client.submit(1, 0, 0, 4096, buffer);
        return client.take().status();
    }

    @Benchmark
    public long socketMessage() throws Exception {
        Sys.write(peer.fd(), message, 64);
        long n = 0;
        while (n < 64) {
            n += Sys.read(peer.fd(), message.asSlice(n), 64 - n);
        }
        return n;
    }

    /** Runs this benchmark and prints, per parameter set, the ring's percentiles over the peer's. */
    public static void main(String[] args) throws Exception { // JMH options (-p, -f, ...) pass through
        var results = new org.openjdk.jmh.runner.Runner(new org.openjdk.jmh.runner.options.OptionsBuilder()
                .parent(new org.openjdk.jmh.runner.options.CommandLineOptions(args))
                .include(RingRoundTripBench.class.getName() + "\\.").build()).run();
        java.util.Map<String, org.openjdk.jmh.util.Statistics> ring = new java.util.TreeMap<>();
        java.util.Map<String, org.openjdk.jmh.util.Statistics> socket = new java.util.TreeMap<>();
        for (var r : results) {
            var p = r.getParams();
            String key = "doorbell=" + p.getParam("doorbell") + " spinMicros=" + p.getParam("spinMicros");
            (p.getBenchmark().endsWith(".ring") ? ring : socket).put(key, r.getPrimaryResult().getStatistics());
        }
        System.out.println("ring / socketMessage (lower is better for the ring), sample percentiles in us:");
        for (var e : ring.entrySet()) {
            var peer = socket.get(e.getKey());
            if (peer == null) {
                continue;
            }
            StringBuilder line = new StringBuilder(e.getKey());
            for (double q : new double[] {50, 90, 99}) {
                double a = e.getValue().getPercentile(q);
                double b = peer.getPercentile(q);
                line.append(String.format("  p%.0f %.2f/%.2f = %.2f", q, a, b, a / b));
            }
            System.out.println(line);
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        client.submit(0, 0, 0, 0, RequestDescriptor.NO_BUFFER);
        client.take();
        peer.close();
        end.close();
        domain.close();
    }
}

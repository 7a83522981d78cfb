package dev.jdm.bench;

import dev.jdm.dde.nbdkit.NbdkitPlugin;
import dev.jdm.dde.nbdkit.PluginConnection;
import dev.jdm.dde.nbdkit.PluginListener;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
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
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Reads from nbdkit's memory plugin (Debian's binary, 256 MiB, random offsets), two ways in one
 * run: through jdm-dde in this JVM ({@code library}), and through the real nbdkit serving the same
 * plugin on a Unix socket, read by a minimal NBD client into the same kind of native buffer
 * ({@code nbdkit}). The main method runs both and prints library/nbdkit per request size. The
 * nbdkit row includes the socket round trip that jdm's own NBD export will add back on top of the
 * library, so the ratio is the headroom the in-process environment leaves for it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Threads(1)
public class DdeReadBench {
    static final long SIZE = 256L << 20;

    @Param({"4096", "1048576"})
    public int blockSize;

    private NbdkitPlugin plugin;
    private PluginConnection library;
    private Process nbdkit;
    private Path dir;
    private NbdReader peer;
    private MemorySegment buf;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        plugin = NbdkitPlugin.start("memory", List.of("size=" + SIZE), (p, l, t) -> { });
        library = plugin.open(false);
        dir = Files.createTempDirectory("dde-bench-");
        Path sock = dir.resolve("sock");
        nbdkit = new ProcessBuilder("nbdkit", "-U", sock.toString(), "-f", "--exit-with-parent", "memory", "size=" + SIZE)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        for (int i = 0; i < 500 && !Files.exists(sock); i++) {
            Thread.sleep(10);
        }
        peer = new NbdReader(sock);
        buf = Arena.global().allocate(blockSize, 4096);
        // Touch every page on both sides, so neither row pays for first-time allocation.
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fill = a.allocate(1 << 20).fill((byte) 0x5a);
            for (long off = 0; off < SIZE; off += fill.byteSize()) {
                library.pwrite(fill, off, 0);
                peer.write(fill, off);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        peer.close();
        nbdkit.destroy();
        nbdkit.waitFor();
        library.close();
        plugin.unload();
        Files.deleteIfExists(dir.resolve("sock"));
        Files.deleteIfExists(dir);
    }

    private long offset() {
        return ThreadLocalRandom.current().nextLong(SIZE / blockSize) * blockSize;
    }

    @Benchmark
    public MemorySegment library() throws IOException {
        library.pread(buf, offset());
        return buf;
    }

    @Benchmark
    public MemorySegment nbdkit() throws IOException {
        peer.read(buf, offset());
        return buf;
    }

    /** Fixed newstyle, NBD_OPT_EXPORT_NAME, simple replies: just enough to read and write. */
    static final class NbdReader implements AutoCloseable {
        private final SocketChannel ch;
        private final ByteBuffer header = ByteBuffer.allocateDirect(28).order(ByteOrder.BIG_ENDIAN);
        private final ByteBuffer reply = ByteBuffer.allocateDirect(16).order(ByteOrder.BIG_ENDIAN);
        private long handle;

        NbdReader(Path socket) throws IOException {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer b = ByteBuffer.allocate(18);
            readFully(b);
            boolean noZeroes = (b.getShort(16) & 2) != 0;
            ByteBuffer opt = ByteBuffer.allocate(20);
            opt.putInt(1 | (noZeroes ? 2 : 0)).putLong(0x49484156454F5054L).putInt(1).putInt(0).flip();
            while (opt.hasRemaining()) {
                ch.write(opt);
            }
            readFully(ByteBuffer.allocate(noZeroes ? 10 : 134));
        }

        void read(MemorySegment into, long offset) throws IOException {
            send(0, offset, (int) into.byteSize());
            awaitReply();
            readFully(into.asByteBuffer());
        }

        void write(MemorySegment from, long offset) throws IOException {
            send(1, offset, (int) from.byteSize());
            ByteBuffer data = from.asByteBuffer();
            while (data.hasRemaining()) {
                ch.write(data);
            }
            awaitReply();
        }

        private void send(int type, long offset, int length) throws IOException {
            header.clear();
            header.putInt(0x25609513).putShort((short) 0).putShort((short) type).putLong(++handle).putLong(offset).putInt(length).flip();
            while (header.hasRemaining()) {
                ch.write(header);
            }
        }

        private void awaitReply() throws IOException {
            reply.clear();
            readFully(reply);
            if (reply.getInt(0) != 0x67446698 || reply.getInt(4) != 0 || reply.getLong(8) != handle) {
                throw new IOException("NBD error " + reply.getInt(4));
            }
        }

        private void readFully(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                if (ch.read(b) < 0) {
                    throw new IOException("nbdkit closed the connection");
                }
            }
        }

        @Override
        public void close() throws IOException {
            send(2, 0, 0);
            ch.close();
        }
    }

    /** Runs both rows and prints library/nbdkit for each request size. */
    public static void main(String[] args) throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder().include(DdeReadBench.class.getSimpleName()).build()).run();
        for (String size : List.of("4096", "1048576")) {
            double lib = score(results, "library", size);
            double peer = score(results, "nbdkit", size);
            System.out.printf("%s-byte reads: library %.0f ops/s, nbdkit %.0f ops/s, library/nbdkit = %.2f%n", size, lib, peer, lib / peer);
        }
    }

    private static double score(Collection<RunResult> results, String method, String size) {
        return results.stream()
                .filter(r -> r.getParams().getBenchmark().endsWith("." + method) && r.getParams().getParam("blockSize").equals(size))
                .findFirst().orElseThrow().getPrimaryResult().getScore();
    }
}

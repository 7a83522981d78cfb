package dev.jdm.dde.nbdkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Write-then-verify on memory and file: threads (both plugins are PARALLEL) write random blocks
 * at random offsets within their own stripe, now and then with FUA, zeroes, trims and flushes,
 * and keep a model of what each stripe must hold. Every block is read back and its CRC32C
 * compared with the model; for file, the backing file itself is then hashed and compared too.
 */
class WorkloadTest {
    static final int THREADS = 4;
    static final long STRIPE = 8 << 20;
    static final int OPS = 1500;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"memory", "file"})
    void shouldReadBackWhatWasWritten(String plugin) throws Exception {
        Path backing = tmp.resolve("disk.img");
        List<String> args = plugin.equals("memory") ? List.of("size=" + THREADS * STRIPE) : List.of("file=" + backing);
        if (plugin.equals("file")) {
            try (var f = new java.io.RandomAccessFile(backing.toFile(), "rw")) {
                f.setLength(THREADS * STRIPE);
            }
        }
        byte[][] models = new byte[THREADS][(int) STRIPE];
        try (NbdkitPlugin p = NbdkitPlugin.start(plugin, args, new Recorder()); PluginConnection c = p.open(false)) {
            assertThat(p.threadModel()).isEqualTo(ThreadModel.PARALLEL);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<Integer>> runs = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int stripe = t;
                    runs.add(pool.submit(() -> workload(c, stripe, models[stripe])));
                }
                for (Future<Integer> f : runs) {
                    assertThat(f.get(120, TimeUnit.SECONDS)).as("blocks that read back wrong").isZero();
                }
            } finally {
                pool.shutdownNow();
            }
            c.flush();
            assertThat(Maps.sha256(c)).isEqualTo(sha256(models));
        }
        if (plugin.equals("file")) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            assertThat(HexFormat.of().formatHex(md.digest(Files.readAllBytes(backing)))).isEqualTo(sha256(models));
        }
    }

    /** Returns how many verified reads did not match the model. */
    private static int workload(PluginConnection c, int stripe, byte[] model) throws Exception {
        SplittableRandom rnd = new SplittableRandom(1234 + stripe);
        long base = stripe * STRIPE;
        int bad = 0;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256 << 10);
            for (int i = 0; i < OPS; i++) {
                int len = 512 * rnd.nextInt(1, 257);
                int off = 512 * rnd.nextInt((int) ((STRIPE - len) / 512) + 1);
                int what = rnd.nextInt(20);
                if (what < 12) {
                    byte[] data = new byte[len];
                    rnd.nextBytes(data);
                    MemorySegment.copy(MemorySegment.ofArray(data), 0, buf, 0, len);
                    c.pwrite(buf.asSlice(0, len), base + off, what == 0 ? PluginConnection.FUA : 0);
                    System.arraycopy(data, 0, model, off, len);
                } else if (what < 14) {
                    c.zero(base + off, len, what == 12 ? PluginConnection.MAY_TRIM : 0);
                    java.util.Arrays.fill(model, off, off + len, (byte) 0);
                } else if (what < 15) {
                    // Both plugins guarantee a trimmed range reads as zeroes.
                    c.trim(base + off, len, 0);
                    java.util.Arrays.fill(model, off, off + len, (byte) 0);
                } else if (what < 16) {
                    c.flush();
                } else {
                    MemorySegment got = buf.asSlice(0, len);
                    c.pread(got, base + off);
                    if (crc(got.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)) != crc(java.util.Arrays.copyOfRange(model, off, off + len))) {
                        bad++;
                    }
                }
            }
        }
        return bad;
    }

    private static long crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return c.getValue();
    }

    private static String sha256(byte[][] stripes) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (byte[] s : stripes) {
            md.update(s);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}

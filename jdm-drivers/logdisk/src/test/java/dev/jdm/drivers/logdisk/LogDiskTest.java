package dev.jdm.drivers.logdisk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.host.block.BlockDriverContract;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** logdisk passes the block driver contract, and its log proves the host's flush and FUA ordering. */
class LogDiskTest extends BlockDriverContract {
    private static final long SPAN = 8 << 20;
    private static final long GUARD = 0x10000;
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private Path logFile;

    @Override
    protected String moduleName() {
        return "logdisk";
    }

    @Override
    protected Map<String, String> freshDeviceParams(Path tmp) throws IOException {
        logFile = Files.createFile(tmp.resolve("logdisk.log"));
        return Map.of("size", "16M", "name", "logt0", "log", logFile.toString());
    }

    @Override
    protected String luName() {
        return "logt0";
    }

    private final List<ReplayChecker.ClientWrite> writes = new CopyOnWriteArrayList<>();
    private final List<ReplayChecker.ClientFlush> flushes = new CopyOnWriteArrayList<>();

    /** Four clients, each with up to four requests outstanding: writes (a fifth of them FUA) and flushes. */
    private void workload(int perClient) throws Exception {
        AtomicLong ids = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            long seed = c;
            clients.add(Thread.ofPlatform().uncaughtExceptionHandler((t, x) -> failures.add(x)).start(() -> {
                Random r = new Random(seed);
                List<CompletableFuture<Integer>> outstanding = new ArrayList<>();
                for (int i = 0; i < perClient; i++) {
                    if (outstanding.size() >= 4) {
                        assertThat(outstanding.removeFirst().join()).isZero();
                    }
                    if (r.nextInt(8) == 0) {
                        long submitted = System.nanoTime();
                        outstanding.add(lu.submit(BlockOp.FLUSH, 0, 0, 0, null).whenComplete((st, x) -> {
                            if (st != null && st == 0) {
                                flushes.add(new ReplayChecker.ClientFlush(submitted, System.nanoTime()));
                            }
                        }));
                        continue;
                    }
                    long id = ids.incrementAndGet();
                    long length = 512L * (1 + r.nextInt(r.nextBoolean() ? 8 : 128));
                    long offset = GUARD + 512L * r.nextInt((int) ((SPAN - length) / 512)); // above the boot-area guard
                    boolean fua = r.nextInt(5) == 0;
                    byte[] stamped = stamp(id, offset, length);
                    MemorySegment data = Arena.ofAuto().allocate(length, 512);
                    MemorySegment.copy(stamped, 0, data, ValueLayout.JAVA_BYTE, 0, (int) length);
                    long submitted = System.nanoTime();
                    outstanding.add(lu.submit(BlockOp.WRITE, offset, length, fua ? BlockRequest.FUA : 0, data).whenComplete((st, x) -> {
                        if (st != null && st == 0) {
                            writes.add(new ReplayChecker.ClientWrite(offset, length, fua, submitted, System.nanoTime(), WriteLog.digests(stamped)));
                        }
                    }));
                }
                outstanding.forEach(f -> assertThat(f.join()).isZero());
            }));
        }
        for (Thread t : clients) {
            t.join(TimeUnit.MINUTES.toMillis(5));
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void shouldKeepEveryPromiseAtEveryCut() throws Exception {
        workload(2_000);
        WriteLog log = WriteLog.read(logFile);
        ReplayChecker.Result r = ReplayChecker.check(log, info.size(), writes, flushes);
        System.out.printf("logdisk replay: %d entries, %d writes and %d flushes acknowledged, %d cuts, %d writes promised, %d sector checks, %d violations%n",
                log.entries().size(), writes.size(), flushes.size(), r.cuts(), r.promised(), r.sectorChecks(), r.violationCount());
        assertThat(r.violations()).isEmpty();
        assertThat(r.cuts()).isEqualTo(log.entries().size()).isGreaterThan(8_000);
        assertThat(r.promised()).as("FUA writes and writes before an acknowledged flush").isGreaterThan(writes.size() / 2);
        assertThat(r.sectorChecks()).isGreaterThan(r.promised());
        assertThat(log.entries()).anyMatch(e -> e.kind() == LogFormat.FLUSH);
    }

    @Test
    void shouldCatchAHostThatAcknowledgesFlushesItNeverSent() throws Exception {
        workload(500);
        WriteLog log = WriteLog.read(logFile);
        // the log as a host that completed FLUSH (and emulated FUA) without telling the device would leave it
        WriteLog unflushed = log.without(e -> e.kind() == LogFormat.FLUSH);
        ReplayChecker.Result r = ReplayChecker.check(unflushed, info.size(), writes, flushes);
        assertThat(r.violationCount()).as("promises broken in a log without flushes").isPositive();
        assertThat(r.violations()).anyMatch(v -> v.contains("was promised durable, but sector"));
    }

    @Test
    void shouldCatchAWriteThatNeverReachedTheDeviceAndOneScatteredElsewhere() throws Exception {
        workload(300);
        WriteLog log = WriteLog.read(logFile);
        assertThat(ReplayChecker.check(log, info.size(), writes, flushes).violations()).isEmpty();
        // a host that lost its first write (later flushes promised it), and one that wrote a write's data one sector too far
        WriteLog.Entry first = log.entries().stream().filter(e -> e.kind() == LogFormat.WRITE).findFirst().orElseThrow();
        ReplayChecker.Result lost = ReplayChecker.check(log.without(e -> e == first), info.size(), writes, flushes);
        assertThat(lost.violations()).anyMatch(v -> v.contains("never reached the device"));
        WriteLog.Entry moved = log.entries().stream().filter(e -> e.kind() == LogFormat.WRITE).skip(1).findFirst().orElseThrow();
        List<WriteLog.Entry> shifted = new ArrayList<>(log.entries());
        shifted.set(shifted.indexOf(moved), new WriteLog.Entry(moved.kind(), false, moved.seq(), moved.offset() + 512, moved.length(), moved.nanos(),
                moved.dataAt(), moved.digests()));
        assertThat(ReplayChecker.check(new WriteLog(logFile, shifted), info.size(), writes, flushes).violationCount()).isPositive();
    }

    /** Sector data for write {@code id}: the id and the sector's own offset, then filler, so no two writes' sectors are alike. */
    static byte[] stamp(long id, long offset, long length) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) length);
        for (long s = 0; s < length; s += 512) {
            b.putLong((int) s, id).putLong((int) s + 8, offset + s);
        }
        return b.array();
    }
}

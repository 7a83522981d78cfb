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
                    MemorySegment data = Arena.ofAuto().allocate(length, 512);
                    MemorySegment.copy(ReplayChecker.stamp(id, offset, length), 0, data, ValueLayout.JAVA_BYTE, 0, (int) length);
                    outstanding.add(lu.submit(BlockOp.WRITE, offset, length, fua ? BlockRequest.FUA : 0, data).whenComplete((st, x) -> {
                        if (st != null && st == 0) {
                            writes.add(new ReplayChecker.ClientWrite(id, offset, length, fua, System.nanoTime()));
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
        ReplayChecker.Result r = ReplayChecker.check(log, info.size(), writes, flushes, 2_000, 15);
        System.out.printf("logdisk replay: %d entries, %d writes and %d flushes acknowledged, %d cuts, %d sector checks, %d violations%n",
                log.entries().size(), writes.size(), flushes.size(), r.cuts(), r.sectorChecks(), r.violationCount());
        assertThat(r.violations()).isEmpty();
        assertThat(r.cuts()).isGreaterThan(2_000);
        assertThat(log.entries()).anyMatch(e -> e.kind() == LogFormat.FLUSH);
    }

    @Test
    void shouldCatchAHostThatAcknowledgesFlushesItNeverSent() throws Exception {
        workload(500);
        WriteLog log = WriteLog.read(logFile);
        // the log as a host that completed FLUSH (and emulated FUA) without telling the device would leave it
        WriteLog unflushed = new WriteLog(log.entries().stream().filter(e -> e.kind() != LogFormat.FLUSH).toList());
        ReplayChecker.Result r = ReplayChecker.check(unflushed, info.size(), writes, flushes, 200, 15);
        assertThat(r.violationCount()).as("promises broken in a log without flushes").isPositive();
    }
}

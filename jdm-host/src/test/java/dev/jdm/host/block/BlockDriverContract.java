package dev.jdm.host.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.host.log.LogRecord;
import dev.jdm.symvers.JarContents;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every block driver must do, run through the real host: the module is loaded by the host's
 * loader (linker checks included) from its compiled classes, and exercised through the block
 * layer's facade. A driver's test extends this and says how to load a fresh, zero-filled device.
 */
public abstract class BlockDriverContract {
    @TempDir
    protected Path tmp;
    protected Host host;
    protected LuHandle lu;
    protected LuInfo info;

    /** The directory (or JAR) holding the driver module's classes and META-INF/jdm. */
    protected Path moduleClasses() {
        return Path.of("target/classes");
    }

    /** The module's name. */
    protected abstract String moduleName();

    /** Load parameters for a fresh device of at least 4 MiB that reads as zeroes. */
    protected abstract Map<String, String> freshDeviceParams(Path tmp) throws IOException;

    /** The LU name those parameters give. */
    protected abstract String luName();

    /** More of the host's TOML configuration, after {@code modules = []}: a {@code [sysctl]} table, say. */
    protected String hostConfig() {
        return "";
    }

    /** Runs once the host is up, before the driver loads: a hardware driver's device is plugged here (coldplug). */
    protected void beforeLoad() throws IOException {}

    @BeforeEach
    void loadDriver() throws IOException {
        Path config = Files.writeString(tmp.resolve("host.toml"), "modules = []\n" + hostConfig());
        host = Host.start(new Host.Options(config, tmp.resolve("gate.sock"), tmp.resolve("state"), null, null));
        beforeLoad();
        host.modules().load(JarContents.read(moduleClasses()), moduleClasses().toString(), freshDeviceParams(tmp), false);
        lu = host.block().open(luName(), "contract");
        info = lu.info();
    }

    @AfterEach
    void unload() {
        if (lu != null) {
            lu.close();
        }
        host.close();
    }

    protected static MemorySegment pattern(long bytes, long seed) {
        byte[] b = new byte[(int) bytes];
        new Random(seed).nextBytes(b);
        MemorySegment s = Arena.ofAuto().allocate(bytes, 4096);
        MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, 0, b.length);
        return s;
    }

    protected static boolean allZero(MemorySegment s) {
        return s.mismatch(MemorySegment.ofArray(new byte[(int) s.byteSize()])) == -1;
    }

    protected MemorySegment read(long offset, long length) throws InterruptedException {
        MemorySegment s = Arena.ofAuto().allocate(length, 4096);
        assertThat(lu.read(offset, s)).as("read %d+%d", offset, length).isEqualTo(BlockStatus.OK);
        return s;
    }

    @Test
    void shouldRegisterWithConsistentGeometry() {
        assertThat(info.module()).isEqualTo(moduleName());
        assertThat(info.size()).isPositive().isGreaterThanOrEqualTo(4L << 20);
        assertThat(info.size() % info.logicalBlockSize()).isZero();
        assertThat(Integer.bitCount(info.physicalBlockSize())).isEqualTo(1);
        assertThat(info.physicalBlockSize()).isGreaterThanOrEqualTo(info.logicalBlockSize());
        assertThat(info.bootGuard()).isEqualTo(BlockDevice.DEFAULT_BOOT_GUARD);
        assertThat(info.tableType()).isEqualTo("none");
        assertThat(info.holders()).containsEntry("contract", 1);
    }

    @Test
    void shouldReadZeroesFromAFreshDevice() throws InterruptedException {
        assertThat(allZero(read(0, 1 << 20))).isTrue();
        assertThat(allZero(read(info.size() - 65536, 65536))).isTrue();
    }

    /** The runs an extents query reports, as [length, flags] pairs, after checking they tile the range. */
    protected java.util.List<long[]> extents(long offset, long length) {
        java.util.List<long[]> runs = new java.util.ArrayList<>();
        assertThat(lu.extents(offset, length, (bytes, flags) -> runs.add(new long[] {bytes, flags}))).isEqualTo(BlockStatus.OK);
        assertThat(runs).as("at least one run").isNotEmpty();
        assertThat(runs.stream().mapToLong(r -> r[0]).sum()).as("runs stay inside the range").isLessThanOrEqualTo(length);
        return runs;
    }

    @Test
    void shouldNeverReportWrittenDataAsAHole() throws InterruptedException {
        long at = 0x130000;
        assertThat(lu.write(at, pattern(16384, 4), 0)).isEqualTo(BlockStatus.OK);
        long covered = 0;
        for (long pos = at; pos < at + 16384; pos += covered) {
            java.util.List<long[]> runs = extents(pos, at + 16384 - pos);
            assertThat(runs).as("runs over written data at %d", pos).allSatisfy(r -> assertThat(r[1]).isZero());
            covered = runs.stream().mapToLong(r -> r[0]).sum();
        }
        assertThat(lu.extents(info.size(), 4096, (b, f) -> { })).as("past the end").isEqualTo(BlockStatus.EINVAL);
    }

    @Test
    void shouldReadBackWhatWasWrittenAnywhereAboveTheGuard() throws InterruptedException {
        long[] offsets = {0x10000, 0x123000, info.size() - 8192};
        for (int i = 0; i < offsets.length; i++) {
            MemorySegment p = pattern(8192, i);
            assertThat(lu.write(offsets[i], p, 0)).isEqualTo(BlockStatus.OK);
        }
        for (int i = 0; i < offsets.length; i++) {
            assertThat(read(offsets[i], 8192).mismatch(pattern(8192, i))).as("offset %d", offsets[i]).isEqualTo(-1);
        }
        byte[] heap = new byte[4096];
        new Random(9).nextBytes(heap);
        assertThat(lu.write(0x200000, MemorySegment.ofArray(heap), BlockRequest.FUA)).as("heap buffer, FUA").isEqualTo(BlockStatus.OK);
        byte[] back = new byte[4096];
        assertThat(lu.read(0x200000, MemorySegment.ofArray(back))).isEqualTo(BlockStatus.OK);
        assertThat(back).isEqualTo(heap);
    }

    @Test
    void shouldRefuseWritesIntoTheBootAreaWithEperm() throws InterruptedException {
        MemorySegment p = pattern(4096, 1);
        assertThat(lu.write(0, p, 0)).isEqualTo(BlockStatus.EPERM);
        assertThat(lu.write(0x10000 - 512, pattern(1024, 1), 0)).as("overlapping the guard's end").isEqualTo(BlockStatus.EPERM);
        assertThat(lu.io(BlockOp.WRITE_ZEROES, 0, 4096, 0, null)).isEqualTo(BlockStatus.EPERM);
        assertThat(lu.io(BlockOp.DISCARD, 4096, 4096, 0, null)).isEqualTo(BlockStatus.EPERM);
        assertThat(allZero(read(0, 0x10000))).as("nothing reached the driver").isTrue();
        assertThat(lu.read(0, Arena.ofAuto().allocate(4096))).as("reads are fine").isEqualTo(BlockStatus.OK);
    }

    @Test
    void shouldRefuseOutOfRangeAndMisalignedRequests() throws InterruptedException {
        long size = info.size();
        assertThat(lu.read(size, Arena.ofAuto().allocate(512))).isEqualTo(BlockStatus.EINVAL);
        assertThat(lu.read(size - 512, Arena.ofAuto().allocate(1024))).isEqualTo(BlockStatus.EINVAL);
        assertThat(lu.read(-512, Arena.ofAuto().allocate(512))).isEqualTo(BlockStatus.EINVAL);
        assertThat(lu.read(0x20001, Arena.ofAuto().allocate(512))).isEqualTo(BlockStatus.EINVAL);
        assertThat(lu.write(0x20000, Arena.ofAuto().allocate(100), 0)).isEqualTo(BlockStatus.EINVAL);
        assertThat(lu.io(BlockOp.READ, 0x20000, 4096, 0, Arena.ofAuto().allocate(512))).as("buffer shorter than length").isEqualTo(BlockStatus.EINVAL);
        assertThat(lu.io(BlockOp.WRITE_ZEROES, Long.MAX_VALUE - 511, 512, 0, null)).as("overflowing end").isEqualTo(BlockStatus.EINVAL);
    }

    @Test
    void shouldZeroRangesWithWriteZeroes() throws InterruptedException {
        long off = 0x100000;
        assertThat(lu.write(off, pattern(0x40000, 5), 0)).isEqualTo(BlockStatus.OK);
        assertThat(lu.io(BlockOp.WRITE_ZEROES, off + 0x1000, 0x10000, 0, null)).isEqualTo(BlockStatus.OK);
        assertThat(lu.io(BlockOp.WRITE_ZEROES, off + 0x20000, 0x10000, BlockRequest.NO_UNMAP, null)).isEqualTo(BlockStatus.OK);
        MemorySegment back = read(off, 0x40000);
        assertThat(allZero(back.asSlice(0x1000, 0x10000))).isTrue();
        assertThat(allZero(back.asSlice(0x20000, 0x10000))).isTrue();
        assertThat(back.asSlice(0, 0x1000).mismatch(pattern(0x40000, 5).asSlice(0, 0x1000))).as("before the range").isEqualTo(-1);
        assertThat(back.asSlice(0x11000, 0xf000).mismatch(pattern(0x40000, 5).asSlice(0x11000, 0xf000))).as("between").isEqualTo(-1);
        int fast = lu.io(BlockOp.WRITE_ZEROES, off, 0x1000, BlockRequest.FAST_ZERO, null);
        assertThat(fast).as("fast zero: done or refused as slow").isIn(BlockStatus.OK, BlockStatus.EOPNOTSUPP);
        if (fast == BlockStatus.OK) {
            assertThat(allZero(read(off, 0x1000))).isTrue();
        }
    }

    @Test
    void shouldDiscardAndFlush() throws InterruptedException {
        assertThat(lu.write(0x300000, pattern(0x10000, 3), 0)).isEqualTo(BlockStatus.OK);
        assertThat(lu.io(BlockOp.DISCARD, 0x300000, 0x10000, 0, null)).isEqualTo(BlockStatus.OK);
        MemorySegment back = read(0x300000, 0x10000);
        assertThat(allZero(back) || back.mismatch(pattern(0x10000, 3)) == -1).as("discarded data reads as zeroes or the old data").isTrue();
        assertThat(lu.flush()).isEqualTo(BlockStatus.OK);
        assertThat(lu.io(BlockOp.FLUSH, 512, 0, 0, null)).as("flush with a range").isEqualTo(BlockStatus.EINVAL);
    }

    @Test
    void shouldServeConcurrentRequestsCorrectly() throws Exception {
        int workers = 16;
        int perWorker = 32;
        List<CompletableFuture<Integer>> writes = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            for (int i = 0; i < perWorker; i++) {
                long off = 0x100000 + ((long) w * perWorker + i) * 4096;
                writes.add(lu.submit(BlockOp.WRITE, off, 4096, 0, pattern(4096, off)));
            }
        }
        for (CompletableFuture<Integer> f : writes) {
            assertThat(f.get()).isEqualTo(BlockStatus.OK);
        }
        assertThat(lu.flush()).isEqualTo(BlockStatus.OK);
        MemorySegment all = read(0x100000, (long) workers * perWorker * 4096);
        for (int k = 0; k < workers * perWorker; k++) {
            long off = 0x100000 + k * 4096L;
            assertThat(all.asSlice(k * 4096L, 4096).mismatch(pattern(4096, off))).as("block at %d", off).isEqualTo(-1);
        }
        assertThat(host.block().stats(luName()).inFlight()).isZero();
    }

    @Test
    void shouldFindPartitionsWrittenThroughTheDeviceOnceTheGuardIsLowered() throws Exception {
        byte[] mbr = new byte[512];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(mbr).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(440, 0x1234abcd);
        b.put(446 + 4, (byte) 0x83).putInt(446 + 8, 2048).putInt(446 + 12, 4096);
        b.putShort(510, (short) 0xAA55);
        assertThat(lu.write(0, MemorySegment.ofArray(mbr), 0)).isEqualTo(BlockStatus.EPERM);
        host.block().setBootGuard(luName(), 0, "test");
        assertThat(lu.write(0, MemorySegment.ofArray(mbr), 0)).isEqualTo(BlockStatus.OK);
        host.block().setBootGuard(luName(), BlockDevice.DEFAULT_BOOT_GUARD, "test");
        long deadline = System.nanoTime() + 5_000_000_000L;
        String part = luName() + (Character.isDigit(luName().charAt(luName().length() - 1)) ? "p1" : "1");
        while (host.block().find(part).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        LuInfo p = host.block().find(part).orElseThrow(() -> new AssertionError("no " + part + " after the table write"));
        assertThat(p.diskOffset()).isEqualTo(2048L * info.logicalBlockSize());
        assertThat(p.size()).isEqualTo(4096L * info.logicalBlockSize());
        assertThat(p.uuid()).isEqualTo("1234abcd-01");
        assertThat(host.block().find(luName()).orElseThrow().tableType()).isEqualTo("dos");
        try (LuHandle ph = host.block().open(part, "contract")) {
            MemorySegment data = pattern(4096, 77);
            assertThat(ph.write(0, data, 0)).as("partition starts beyond the guard").isEqualTo(BlockStatus.OK);
            assertThat(read(p.diskOffset(), 4096).mismatch(data)).as("landed at the partition's offset").isEqualTo(-1);
            assertThat(ph.read(p.size(), Arena.ofAuto().allocate(512))).as("past the partition's end").isEqualTo(BlockStatus.EINVAL);
        }
    }

    @Test
    void shouldPinTheModuleWhileOpenAndUnloadCleanly() throws InterruptedException {
        assertThatThrownBy(() -> host.modules().unload(moduleName(), false, false)).isInstanceOf(HostException.class)
                .hasMessageContaining("in use");
        lu.close();
        lu = null;
        long seq = host.log().nextSeq();
        host.modules().unload(moduleName(), false, false);
        assertThat(host.block().find(luName())).isEmpty();
        assertThat(host.log().since(seq).stream().map(LogRecord::message)).noneMatch(m -> m.contains("leak") || m.contains("left "));
    }
}

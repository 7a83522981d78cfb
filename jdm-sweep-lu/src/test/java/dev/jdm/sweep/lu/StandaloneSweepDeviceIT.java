package dev.jdm.sweep.lu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.sweep.SweepDevice;
import dev.jdm.sweep.SweepDeviceContract;
import dev.jdm.sweep.SweepException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone sweep device (a file through an embedded host's filedisk and block layer) against
 * the {@link SweepDeviceContract}, plus what only it does: data lands in the file, planning facts
 * come from the file and the block layer.
 */
class StandaloneSweepDeviceIT extends SweepDeviceContract {
    static final Path MODULES = Path.of(System.getProperty("jdm.cli.dir", "target")).resolve("modules").toAbsolutePath();

    @TempDir
    Path dir;
    final List<StandaloneSweepDevices> providers = new ArrayList<>();
    final List<SweepDevice> devices = new ArrayList<>();

    @AfterEach
    void close() {
        devices.forEach(SweepDevice::close);
        providers.forEach(StandaloneSweepDevices::close);
    }

    Path file(String name, long size) throws Exception {
        Path f = dir.resolve(name);
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(size);
        }
        return f;
    }

    StandaloneSweepDevices provider(int blockSize, Path... files) {
        StandaloneSweepDevices p = new StandaloneSweepDevices(java.util.Arrays.stream(files).map(Path::toString).toList(), MODULES, blockSize);
        providers.add(p);
        return p;
    }

    @Override
    protected SweepDevice create(long size, int blockSize) {
        try {
            Path f = file("disk-" + devices.size() + ".img", size);
            StandaloneSweepDevices p = provider(blockSize, f);
            SweepDevice d = p.open(f.toString(), true);
            devices.add(d);
            // the contract writes from byte 0: lower the whole device's guard, as blk guard would
            p.host().block().setBootGuard(((LuSweepDevice) d).facts.lu(), 0, "test");
            return d;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldWriteThroughToTheFileAndNameItByItsAbsolutePath() throws Exception {
        Path f = file("plain.img", 1 << 20);
        SweepDevice d = provider(512, f).open(f.toString(), true);
        devices.add(d);
        assertThat(d.name()).startsWith("/").endsWith(".img");
        assertThat(d.wholeDevice()).as("a file is a whole device: the boot guard applies").isTrue();
        assertThat(d.guardLimit()).isEqualTo(0x10000);
        assertThat(d.supportsWriteZeroes()).as("zeros are written, never punched").isFalse();
        try (Arena a = Arena.ofConfined()) {
            d.write(0x20000, a.allocate(4096).fill((byte) 0x5a), false);
            d.flush();
        }
        byte[] onDisk = Files.readAllBytes(Path.of(d.name()));
        assertThat(onDisk[0x20000]).isEqualTo((byte) 0x5a);
        assertThat(onDisk[0x20000 + 4095]).isEqualTo((byte) 0x5a);
        assertThat(onDisk[0x20000 + 4096]).isZero();
    }

    @Test
    void shouldOpenTwoFilesAtOnceEachThroughItsOwnFiledisk() throws Exception {
        Path a = file("a.img", 1 << 20);
        Path b = file("b.img", 2 << 20);
        StandaloneSweepDevices p = provider(512, a, b);
        assertThat(p.list()).extracting(i -> i.size()).containsExactly(1L << 20, 2L << 20);
        SweepDevice da = p.open(a.toString(), true);
        SweepDevice db = p.open(dir.resolve(".").resolve("b.img").toString(), true);
        devices.add(da);
        devices.add(db);
        assertThat(db.name()).isEqualTo(b.toString());
        try (Arena ar = Arena.ofConfined()) {
            db.write(0x10000, ar.allocate(512).fill((byte) 1), true);
            assertThat(errnoOf(() -> db.write(0, ar.allocate(512), false))).as("the boot area of a whole device").isEqualTo("EPERM");
        }
        assertThat(Files.readAllBytes(a)[0x10000]).isZero();
        assertThat(Files.readAllBytes(b)[0x10000]).isEqualTo((byte) 1);
        assertThatThrownBy(() -> p.open(dir.resolve("c.img").toString(), false)).isInstanceOf(SweepException.class)
                .hasMessageContaining("not one of the paths");
    }

    @Test
    void shouldLowerTheGuardOfOnlyTheLuItMadeForAPathAndLogItAtNotice() throws Exception {
        Path a = file("a.img", 1 << 20);
        Path b = file("b.img", 1 << 20);
        StandaloneSweepDevices p = provider(512, a, b);
        SweepDevice da = p.open(a.toString(), true);
        SweepDevice db = p.open(b.toString(), true);
        devices.add(da);
        devices.add(db);
        long seq = p.host().log().nextSeq();
        p.includeBootArea(da);
        assertThat(da.guardLimit()).isZero();
        assertThat(db.guardLimit()).as("the other path keeps its guard").isEqualTo(0x10000);
        try (Arena ar = Arena.ofConfined()) {
            da.write(0, ar.allocate(512).fill((byte) 7), true);
            assertThat(errnoOf(() -> db.write(0, ar.allocate(512), false))).isEqualTo("EPERM");
        }
        assertThat(Files.readAllBytes(a)[0]).isEqualTo((byte) 7);
        assertThat(p.host().log().since(seq)).singleElement().satisfies(r -> {
            assertThat(r.level()).isEqualTo(dev.jdm.abi.LogLevel.NOTICE);
            assertThat(r.message()).isEqualTo(((LuSweepDevice) da).facts.lu() + ": boot guard 0x10000 -> 0x0 by jdm sweep"
                    + " --include-boot-area of " + a + " for uid " + dev.jdm.host.sys.Libc.getuid());
        });
        SweepDevice foreign = new dev.jdm.sweep.MemorySweepDevice(dev.jdm.sweep.MemorySweepDevice.Spec.whole("ram0", 1 << 20));
        assertThatThrownBy(() -> p.includeBootArea(foreign)).hasMessage("ram0: not a device this run opened from a path");
    }

    @Test
    void shouldRefuseBadPathsBeforeOpeningAnything() throws Exception {
        assertThat(errnoOf(() -> provider(512, dir.resolve("missing.img")))).isEqualTo("ENOENT");
        assertThat(errnoOf(() -> provider(512, dir))).isEqualTo("EISDIR");
        Path odd = file("odd.img", 1000);
        Path empty = file("empty.img", 0);
        Path odd4k = file("odd4k.img", 4096 + 512);
        assertThat(errnoOf(() -> provider(512, odd))).isEqualTo("EINVAL");
        assertThat(errnoOf(() -> provider(512, empty))).isEqualTo("EINVAL");
        assertThat(errnoOf(() -> provider(4096, odd4k))).isEqualTo("EINVAL");
    }

    @Test
    void shouldFallBackToBufferedIoWhereODirectIsRefused() throws Exception {
        Path shm = Path.of("/dev/shm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no /dev/shm (tmpfs)");
        Path f = Files.createTempFile(shm, "jdm-sweep-", ".img");
        try {
            try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
                r.setLength(1 << 20);
            }
            SweepDevice d = provider(512, f).open(f.toString(), true);
            devices.add(d);
            try (Arena a = Arena.ofConfined()) {
                d.write(0x10000, a.allocate(4096).fill((byte) 9), false);
                MemorySegment back = a.allocate(4096);
                d.read(0x10000, back);
                assertThat(back.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 100)).isEqualTo((byte) 9);
            }
        } finally {
            close();
            devices.clear();
            providers.clear();
            Files.deleteIfExists(f);
        }
    }

    static String errnoOf(Runnable r) {
        try {
            r.run();
            return "none";
        } catch (SweepException e) {
            return e.errno();
        }
    }
}

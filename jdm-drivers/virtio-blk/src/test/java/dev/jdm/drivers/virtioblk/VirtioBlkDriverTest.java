package dev.jdm.drivers.virtioblk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.Host;
import dev.jdm.host.block.LuHandle;
import dev.jdm.host.log.LogRecord;
import dev.jdm.hw.emu.RamBacking;
import dev.jdm.hw.emu.virtio.VirtioBlkDevice;
import dev.jdm.symvers.JarContents;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver against the emulated device through the real host: binding by alias on hotplug,
 * removal with I/O in flight, and each of the device's faults, on a device whose workers serve the
 * kicks ({@link InlineKickVirtioBlkDriverTest}: one that serves them in the writer).
 */
class VirtioBlkDriverTest {
    @TempDir Path tmp;
    private Host host;
    private final Arena arena = Arena.ofShared();

    @BeforeEach
    void start() throws IOException {
        Path config = Files.writeString(tmp.resolve("host.toml"), "modules = []\n");
        host = Host.start(new Host.Options(config, tmp.resolve("gate.sock"), tmp.resolve("state"), null, null));
        host.modules().load(JarContents.read(Path.of("target/classes")), "target/classes", Map.of(), false);
    }

    @AfterEach
    void stop() {
        host.close();
        arena.close();
    }

    /** Whether the device serves each kick in the thread that wrote the doorbell. */
    protected boolean inlineKicks() {
        return false;
    }

    private VirtioBlkDevice device(String serial) {
        return new VirtioBlkDevice(new RamBacking(16 << 20), serial, false, VirtioBlkDevice.DEFAULT_WORKERS, inlineKicks());
    }

    private VirtioBlkDevice plug(String name) {
        VirtioBlkDevice d = device("s-" + name);
        host.board().plug(d);
        return d;
    }

    private long interruptsDelivered() {
        return host.board().interruptLatency("0001:00:01.0").map(l -> (long) l.samples()).orElse(0L);
    }

    private List<String> log() {
        return host.log().since(0).stream().map(r -> r.source() + ": " + r.message()).toList();
    }

    private MemorySegment pattern(int bytes, int seed) {
        MemorySegment s = arena.allocate(bytes, 4096);
        for (int i = 0; i < bytes; i++) {
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed));
        }
        return s;
    }

    @Test
    void shouldBindHotpluggedDevicesByAliasAndReadBackWhatWasWritten() throws Exception {
        plug("a");
        plug("b");
        assertThat(host.block().find("vda")).isPresent();
        assertThat(host.block().find("vdb")).isPresent();
        assertThat(host.board().list()).extracting(b -> b.driver()).containsExactly("virtio-blk", "virtio-blk");
        assertThat(log()).anyMatch(m -> m.startsWith("virtio-blk: 0001:00:01.0: vda, 16 MiB, serial 's-a', queue of 256, MSI-X"));
        try (LuHandle lu = host.block().open("vdb", "test")) {
            MemorySegment data = pattern(1 << 20, 7);
            assertThat(lu.write(1 << 20, data, 0)).isEqualTo(BlockStatus.OK);
            MemorySegment back = arena.allocate(1 << 20, 4096);
            assertThat(lu.read(1 << 20, back)).isEqualTo(BlockStatus.OK);
            assertThat(back.mismatch(data)).isEqualTo(-1);
        }
        host.board().unplug("0001:00:01.0");
        assertThat(host.block().find("vda")).isEmpty();
        plug("c"); // the freed letter is reused
        assertThat(host.block().find("vda")).isPresent();
    }

    @Test
    void shouldCompleteEveryRequestAndTakeNoInterruptForThoseFinishedBeforeTheNotifyReturned() throws Exception {
        plug("a");
        MemorySegment data = pattern(4096, 5);
        MemorySegment back = arena.allocate(4096, 4096);
        long before;
        try (LuHandle lu = host.block().open("vda", "test")) {
            before = interruptsDelivered();
            for (int i = 0; i < 200; i++) {
                assertThat(lu.write((long) (16 + i) * 4096, data, 0)).isEqualTo(BlockStatus.OK);
                assertThat(lu.read((long) (16 + i) * 4096, back)).isEqualTo(BlockStatus.OK);
                assertThat(back.mismatch(data)).isEqualTo(-1);
            }
        }
        long taken = interruptsDelivered() - before;
        if (inlineKicks()) {
            assertThat(taken).as("each request was reaped by its submitter with the device's interrupts off").isZero();
        } else {
            assertThat(taken).as("requests a worker finished after the submitter's reap completed on the interrupt").isPositive();
        }
    }

    @Test
    void shouldFailRequestsInFlightWithEnodevWhenTheDeviceIsPulledAndNeverHang() throws Exception {
        VirtioBlkDevice d = plug("a");
        LuHandle lu = host.block().open("vda", "test");
        d.faults().delayMicros(300_000);
        List<CompletableFuture<Integer>> pending = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            pending.add(lu.submit(BlockOp.READ, (long) i * 4096, 4096, 0, arena.allocate(4096, 4096)));
        }
        Thread.sleep(50);
        long t0 = System.nanoTime();
        host.board().unplug("0001:00:01.0");
        List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<Integer> f : pending) {
            statuses.add(f.get(5, TimeUnit.SECONDS));
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("unplug returns without waiting out the device").isLessThan(3000);
        assertThat(statuses).contains(BlockStatus.ENODEV).allMatch(s -> s == BlockStatus.ENODEV || s == BlockStatus.OK);
        assertThat(lu.submit(BlockOp.READ, 0, 4096, 0, arena.allocate(4096, 4096)).get(5, TimeUnit.SECONDS)).isNotEqualTo(BlockStatus.OK);
        lu.close();
        assertThat(host.block().find("vda")).isEmpty();
        assertThat(log()).noneMatch(m -> m.contains("left") && m.contains("DMA buffer"));
    }

    @Test
    void shouldReportDeviceErrorsAsEioAndRecoverLostAndSpuriousInterrupts() throws Exception {
        VirtioBlkDevice d = plug("a");
        try (LuHandle lu = host.block().open("vda", "test")) {
            MemorySegment buf = arena.allocate(4096, 4096);
            d.faults().errorEvery(3);
            List<Integer> s = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                s.add(lu.read(0, buf));
            }
            assertThat(s).filteredOn(x -> x == BlockStatus.EIO).hasSize(2);
            assertThat(s).filteredOn(x -> x == BlockStatus.OK).hasSize(4);
            d.faults().errorEvery(0);

            // every other interrupt lost: the host's poll of the queue vector reaps what they announced
            d.faults().dropInterruptEvery(2);
            for (int i = 0; i < 10; i++) {
                assertThat(lu.read((long) i * 4096, buf)).isEqualTo(BlockStatus.OK);
            }
            d.faults().dropInterruptEvery(0);
            d.faults().spuriousInterruptEvery(2);
            MemorySegment data = pattern(8192, 3);
            assertThat(lu.write(1 << 20, data, 0)).isEqualTo(BlockStatus.OK);
            MemorySegment back = arena.allocate(8192, 4096);
            assertThat(lu.read(1 << 20, back)).isEqualTo(BlockStatus.OK);
            assertThat(back.mismatch(data)).isEqualTo(-1);
        }
    }

    @Test
    void shouldRefuseADeviceThatIsStuckBusyWithOneClearErrorAndUnloadPastOneThatSticksLater() {
        VirtioBlkDevice d = device("stuck");
        d.faults().stuckBusy(true);
        long seq = host.log().nextSeq();
        host.board().plug(d);
        assertThat(host.block().find("vda")).isEmpty();
        assertThat(host.board().list()).singleElement().satisfies(i -> assertThat(i.driver()).isEmpty());
        assertThat(host.log().since(seq).stream().map(LogRecord::message))
                .anyMatch(m -> m.startsWith("0001:00:01.0: probe failed (errno 5): 0001:00:01.0: the device does not take status writes"));
        host.board().unplug("0001:00:01.0");

        // a bound device that sticks: the unload's reset times out, is reported, and the unload completes
        VirtioBlkDevice later = plug("b");
        assertThat(host.block().find("vda")).isPresent();
        later.faults().stuckBusy(true);
        long t0 = System.nanoTime();
        host.modules().unload("virtio-blk", false, false);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5000);
        assertThat(host.block().find("vda")).isEmpty();
        assertThat(log()).anyMatch(m -> m.contains("the device did not complete its reset in 1000 ms"));
    }

    @Test
    void shouldRemoveItsBindingsWhenTheModuleUnloads() {
        plug("a");
        assertThat(host.block().find("vda")).isPresent();
        host.modules().unload("virtio-blk", false, false);
        assertThat(host.block().find("vda")).isEmpty();
        assertThat(host.board().list()).singleElement().satisfies(i -> assertThat(i.driver()).isEmpty());
        assertThat(log()).noneMatch(m -> m.contains("leak") || m.contains("left "));
    }
}

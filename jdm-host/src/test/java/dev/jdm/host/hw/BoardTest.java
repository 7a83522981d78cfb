package dev.jdm.host.hw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.hw.DmaBuffer;
import dev.jdm.abi.hw.DmaPool;
import dev.jdm.abi.hw.HwBinding;
import dev.jdm.abi.hw.HwDevice;
import dev.jdm.abi.hw.HwDriver;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.Irq;
import dev.jdm.abi.hw.IrqResult;
import dev.jdm.abi.hw.Mmio;
import dev.jdm.abi.hw.Pio;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.mem.ModuleKmem;
import dev.jdm.hw.emu.PciConfigSpace;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The I/O server in front of the emulated board: binding by alias, checked access, interrupts, DMA and removal. */
class BoardTest {
    private static final String ALIAS = "pci:v0000ABCDd00000001sv*sd*bc*sc*i*";
    private final LogRing log = new LogRing(1024, null, () -> 0);
    private final Board board = new Board(log);
    private final ModuleKmem kmem = new ModuleKmem("scratch", () -> false, () -> 64L << 20);
    private final List<String> modprobed = new ArrayList<>();

    {
        board.onUnclaimed(modprobed::add);
    }

    @AfterEach
    void close() {
        board.close();
    }

    private DriverRegistration driver(HwDriver d) {
        return new DriverRegistration("scratch", List.of(ALIAS), d, kmem, log);
    }

    private List<String> messages() {
        return log.since(0).stream().map(r -> r.source() + ": " + r.message()).toList();
    }

    /** A driver that keeps the device it was given, counting removes. */
    private static final class Holder implements HwDriver {
        final AtomicReference<HwDevice> device = new AtomicReference<>();
        final AtomicInteger removes = new AtomicInteger();

        @Override
        public HwBinding probe(HwDevice d) {
            device.set(d);
            d.config().write(PciConfigSpace.COMMAND, 2, PciConfigSpace.COMMAND_MEMORY | PciConfigSpace.COMMAND_IO | PciConfigSpace.COMMAND_BUS_MASTER);
            return removes::incrementAndGet;
        }
    }

    @Test
    void shouldModprobeAnUnclaimedDeviceThenBindItWhenItsDriverRegisters() {
        String name = board.plug(new ScratchDevice());
        assertThat(name).isEqualTo("0001:00:01.0");
        assertThat(modprobed).containsExactly("pci:v0000ABCDd00000001sv0000ABCDsd00000100bcFFsc00i00");
        Holder h = new Holder();
        board.register(driver(h));
        assertThat(h.device.get().name()).isEqualTo(name);
        assertThat(h.device.get().modalias()).isEqualTo(modprobed.getFirst());
        assertThat(board.list()).singleElement().satisfies(i -> assertThat(i.driver()).isEqualTo("scratch"));

        // a second device is hot-plugged straight into the registered driver, and modprobe is not asked
        board.plug(new ScratchDevice());
        assertThat(modprobed).hasSize(1);
        assertThat(board.list()).extracting(Board.DeviceInfo::driver).containsExactly("scratch", "scratch");
    }

    @Test
    void shouldNotBindADriverWhoseAliasesDoNotMatch() {
        Holder h = new Holder();
        board.register(new DriverRegistration("other", List.of("pci:v00001AF4d*sv*sd*bc*sc*i*"), h, kmem, log));
        board.plug(new ScratchDevice());
        assertThat(h.device.get()).isNull();
        assertThat(modprobed).hasSize(1);
    }

    @Test
    void shouldRefuseAccessesOutsideTheGrantBeforeTheyReachTheDeviceAndLogThem() {
        ScratchDevice dev = new ScratchDevice();
        Holder h = new Holder();
        board.register(driver(h));
        board.plug(dev);
        Mmio mmio = h.device.get().mmio(0);
        mmio.write32(ScratchDevice.SCRATCH, 0xdeadbeef);
        assertThat(mmio.read32(ScratchDevice.SCRATCH)).isEqualTo(0xdeadbeef);
        assertThat(mmio.read64(ScratchDevice.SCRATCH)).isEqualTo(0xdeadbeefL);
        int before = dev.accesses.get();
        assertThatThrownBy(() -> mmio.read32(4096)).isInstanceOf(HwException.class).hasMessageContaining("outside the window")
                .satisfies(e -> assertThat(((HwException) e).errno()).isEqualTo(HwException.EFAULT));
        assertThatThrownBy(() -> mmio.write64(4092, 1)).hasMessageContaining("outside the window");
        assertThatThrownBy(() -> mmio.read32(2)).hasMessageContaining("misaligned");
        assertThatThrownBy(() -> mmio.write32(ScratchDevice.TABLE + 8, 5)).hasMessageContaining("MSI-X table");
        assertThatThrownBy(() -> mmio.read64(ScratchDevice.PBA)).hasMessageContaining("MSI-X table or PBA");
        assertThatThrownBy(() -> h.device.get().pio(0)).hasMessageContaining("memory BAR");
        assertThatThrownBy(() -> h.device.get().mmio(1)).hasMessageContaining("no memory BAR1");
        assertThat(dev.accesses.get()).isEqualTo(before);
        assertThat(messages()).filteredOn(m -> m.startsWith("scratch: 0001:00:01.0: ") && m.contains("refused")).hasSize(5);

        Pio pio = h.device.get().pio(2);
        pio.out16(2, 0xbeef);
        assertThat(pio.in8(2)).isEqualTo(0xef);
        assertThat(pio.in16(2)).isEqualTo(0xbeef);
        assertThatThrownBy(() -> pio.in32(6)).hasMessageContaining("outside the window of 8 bytes");
    }

    @Test
    void shouldGiveTheDeviceOnlyMappedDmaMemoryAndDeliverItsMsixInterrupt() throws Exception {
        ScratchDevice dev = new ScratchDevice();
        Holder h = new Holder();
        board.register(driver(h));
        board.plug(dev);
        HwDevice d = h.device.get();
        assertThat(d.msixVectors()).isEqualTo(2);
        CountDownLatch done = new CountDownLatch(1);
        Irq irq = d.irq(0, v -> {
            done.countDown();
            return IrqResult.HANDLED;
        });
        assertThatThrownBy(() -> d.irq(0, v -> IrqResult.HANDLED)).hasMessageContaining("already requested");
        assertThatThrownBy(() -> d.irq(Irq.INTX, v -> IrqResult.HANDLED)).hasMessageContaining("MSI-X vectors are in use");
        assertThatThrownBy(() -> d.irq(2, v -> IrqResult.HANDLED)).hasMessageContaining("no MSI-X vector 2");
        // the host owns MSI-X: the driver cannot turn it off behind the host's back
        int cap = d.config().findCapability(MsixControl.CAP_ID, 0x40);
        assertThat(cap).isEqualTo(0x40);
        d.config().write(cap + 2, 2, 0);
        assertThat(d.config().read(cap + 2, 2) & 0x8000).isNotZero();

        DmaBuffer src = d.dma().coherent(100);
        DmaBuffer dst = d.dma().coherent(100);
        assertThat(src.busAddress() % 4096).isZero();
        assertThat(src.busAddress()).isGreaterThanOrEqualTo(1L << 32);
        src.memory().setString(0, "through the bus");
        Mmio mmio = d.mmio(0);
        mmio.write64(ScratchDevice.SRC, src.busAddress());
        mmio.write64(ScratchDevice.DST, dst.busAddress());
        mmio.write64(ScratchDevice.LEN, 100);
        mmio.wmb();
        mmio.write32(ScratchDevice.DOORBELL, 1);
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(mmio.read32(ScratchDevice.STATUS)).isEqualTo(ScratchDevice.STATUS_DONE);
        assertThat(dst.memory().getString(0)).isEqualTo("through the bus");
        waitFor(() -> irq.delivered() == 1);
        Board.IrqLatency latency = board.interruptLatency("0001:00:01.0").orElseThrow();
        assertThat(latency.samples()).isEqualTo(1);
        assertThat(latency.medianNanos()).isPositive().isEqualTo(latency.p99Nanos());
        assertThat(board.interruptLatency("0001:00:1f.0")).isEmpty();

        // past the end of a buffer is the guard page; a freed buffer is gone from the device's view
        mmio.write64(ScratchDevice.LEN, 4097);
        mmio.write32(ScratchDevice.DOORBELL, 1);
        assertThat(mmio.read32(ScratchDevice.STATUS)).isEqualTo(ScratchDevice.STATUS_FAULT);
        assertThat(dev.lastFault).contains("outside every buffer");
        long stale = src.busAddress();
        src.close();
        src.close();
        mmio.write64(ScratchDevice.SRC, stale);
        mmio.write64(ScratchDevice.LEN, 16);
        mmio.write32(ScratchDevice.DOORBELL, 1);
        assertThat(mmio.read32(ScratchDevice.STATUS)).isEqualTo(ScratchDevice.STATUS_FAULT);
        assertThat(kmem.stats().vmallocRegions()).isEqualTo(1);

        // pools carve pages into aligned blocks that come back zeroed
        DmaPool pool = d.dma().pool(24, 16);
        DmaBuffer a = pool.allocate();
        DmaBuffer b = pool.allocate();
        assertThat(b.busAddress() - a.busAddress()).isEqualTo(32);
        a.memory().fill((byte) 7);
        a.close();
        DmaBuffer again = pool.allocate();
        assertThat(again.memory().get(ValueLayout.JAVA_BYTE, 0)).isZero();
        assertThatThrownBy(() -> d.dma().pool(24, 3)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> d.dma().coherent(0)).isInstanceOf(HwException.class);
    }

    @Test
    void shouldLetTheDeviceReachMemoryTheDriverMapsForStreamingOnlyUntilItIsUnmapped() {
        ScratchDevice dev = new ScratchDevice();
        Holder h = new Holder();
        board.register(driver(h));
        board.plug(dev);
        HwDevice d = h.device.get();
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment request = arena.allocate(600, 1).asSlice(3, 512); // not page-aligned
            DmaBuffer src = d.dma().coherent(512);
            src.memory().setString(0, "a request's own memory");
            DmaBuffer dst = d.dma().map(request);
            assertThat(dst.busAddress() % 4096).isEqualTo(request.address() % 4096);
            Mmio mmio = d.mmio(0);
            mmio.write64(ScratchDevice.SRC, src.busAddress());
            mmio.write64(ScratchDevice.DST, dst.busAddress());
            mmio.write64(ScratchDevice.LEN, 512);
            mmio.write32(ScratchDevice.DOORBELL, 1);
            assertThat(mmio.read32(ScratchDevice.STATUS)).isEqualTo(ScratchDevice.STATUS_DONE);
            assertThat(request.getString(0)).isEqualTo("a request's own memory");
            dst.close();
            mmio.write32(ScratchDevice.DOORBELL, 1);
            assertThat(mmio.read32(ScratchDevice.STATUS)).isEqualTo(ScratchDevice.STATUS_FAULT);
            assertThat(request.getString(0)).isEqualTo("a request's own memory"); // the unmapped memory is intact
            assertThatThrownBy(() -> d.dma().map(java.lang.foreign.MemorySegment.ofArray(new byte[8]))).hasMessageContaining("only native memory");
        }
    }

    @Test
    void shouldDeliverALevelInterruptUntilItIsClearedAndMaskALineNobodyCaresAbout() throws Exception {
        ScratchDevice dev = new ScratchDevice();
        Holder h = new Holder();
        board.register(driver(h));
        board.plug(dev);
        HwDevice d = h.device.get();
        Mmio mmio = d.mmio(0);
        AtomicInteger calls = new AtomicInteger();
        Irq irq = d.irq(Irq.INTX, v -> {
            calls.incrementAndGet();
            return mmio.read32(ScratchDevice.STATUS) != 0 ? IrqResult.HANDLED : IrqResult.NONE;
        });
        dev.complete();
        waitFor(() -> irq.delivered() == 1);
        assertThat(irq.spurious()).isZero();

        // masked: the raise waits, and is delivered at unmask
        irq.mask();
        dev.complete();
        Thread.sleep(50);
        assertThat(irq.delivered()).isEqualTo(1);
        irq.unmask();
        waitFor(() -> irq.delivered() == 2);

        assertThatThrownBy(() -> d.irq(Irq.INTX, v -> IrqResult.HANDLED)).hasMessageContaining("INTx is already requested");
        irq.free();

        // a line held asserted with nothing to clear it is masked after NOBODY_CARED deliveries
        Irq deaf = d.irq(Irq.INTX, v -> IrqResult.NONE);
        dev.assertStuck();
        waitFor(() -> deaf.spurious() == IrqLine.NOBODY_CARED);
        Thread.sleep(50);
        assertThat(deaf.spurious()).isEqualTo(IrqLine.NOBODY_CARED);
        assertThat(messages()).anyMatch(m -> m.equals("scratch: interrupt INTx: nobody cared (1000 deliveries in a row answered NONE); masked"));
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void shouldRemoveOnUnplugOnceAndMakeTheDeadDeviceReadAllOnes() {
        ScratchDevice dev = new ScratchDevice();
        Holder h = new Holder();
        board.register(driver(h));
        String name = board.plug(dev);
        HwDevice d = h.device.get();
        Mmio mmio = d.mmio(0);
        d.dma().coherent(8192);
        d.irq(1, v -> IrqResult.HANDLED);
        assertThat(kmem.stats().vmallocRegions()).isEqualTo(1);
        board.unplug(name);
        assertThat(h.removes.get()).isEqualTo(1);
        assertThat(d.present()).isFalse();
        assertThat(mmio.read32(ScratchDevice.SCRATCH)).isEqualTo(-1);
        assertThat(mmio.read64(ScratchDevice.SCRATCH)).isEqualTo(-1L);
        mmio.write32(ScratchDevice.SCRATCH, 1); // dropped, not thrown
        assertThat(kmem.stats().vmallocRegions()).isZero();
        assertThat(messages()).anyMatch(m -> m.contains("left 1 DMA buffer(s) mapped; freed"));
        assertThatThrownBy(() -> board.unplug(name)).hasMessageContaining("no device " + name);
        assertThat(board.list()).isEmpty();
    }

    @Test
    void shouldRemoveEveryBindingWhenTheDriverUnregistersAndReleaseAFailedProbe() {
        Holder h = new Holder();
        DriverRegistration reg = driver(h);
        board.register(reg);
        board.plug(new ScratchDevice());
        board.plug(new ScratchDevice());
        board.unregister(reg);
        assertThat(h.removes.get()).isEqualTo(2);
        assertThat(board.list()).extracting(Board.DeviceInfo::driver).containsExactly("", "");

        board.register(driver(dev -> {
            dev.dma().coherent(4096);
            dev.irq(0, v -> IrqResult.HANDLED);
            throw new HwException(HwException.EIO, "the device did not answer");
        }));
        assertThat(board.list()).extracting(Board.DeviceInfo::driver).containsExactly("", "");
        assertThat(kmem.stats().vmallocRegions()).isZero();
        assertThat(messages()).filteredOn(m -> m.contains("probe failed (errno 5): the device did not answer")).hasSize(2);
    }

    @Test
    void shouldGrantARealDevicesConfigSpaceReadOnlyAndNothingElse() throws Exception {
        java.nio.file.Path sysfs = java.nio.file.Path.of("../jdm-hw/src/test/resources/sysfs").toAbsolutePath();
        AtomicReference<HwDevice> seen = new AtomicReference<>();
        board.register(new DriverRegistration("scratch", List.of("pci:v00001AF4d00001000*"), d -> {
            seen.set(d);
            return () -> { };
        }, kmem, log));
        String name = board.plug(EmulatedDevices.make("pci-config", java.util.Map.of("address", "0000:00:03.0", "sysfs_root", sysfs.toString())));
        assertThat(board.list()).singleElement().satisfies(i -> {
            assertThat(i.kind()).isEqualTo("pci-config");
            assertThat(i.modalias()).isEqualTo("pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00"); // as the kernel wrote it
            assertThat(i.driver()).isEqualTo("scratch");
        });
        HwDevice d = seen.get();
        byte[] real = java.nio.file.Files.readAllBytes(sysfs.resolve("bus/pci/devices/0000:00:03.0/config"));
        for (int off = 0; off < real.length; off += 4) {
            int expected = (real[off] & 0xff) | (real[off + 1] & 0xff) << 8 | (real[off + 2] & 0xff) << 16 | (real[off + 3] & 0xff) << 24;
            assertThat(d.config().read(off, 4)).as("config dword at 0x%x", off).isEqualTo(expected);
        }
        assertThat(d.config().read(0x100, 4)).as("past what sysfs gives: all ones").isEqualTo(-1);
        assertThatThrownBy(() -> d.config().write(PciConfigSpace.COMMAND, 2, 0)).isInstanceOf(HwException.class)
                .hasMessageContaining("granted read-only").satisfies(e -> assertThat(((HwException) e).errno()).isEqualTo(HwException.EPERM));
        assertThatThrownBy(() -> d.mmio(0)).hasMessageContaining("has no memory BAR0");
        assertThatThrownBy(() -> d.irq(Irq.INTX, v -> IrqResult.HANDLED)).hasMessageContaining("no interrupts");
        assertThat(d.msixVectors()).isZero();
        board.unplug(name);
        assertThatThrownBy(() -> EmulatedDevices.make("pci-config", java.util.Map.of("address", "0000:00:09.0", "sysfs_root", sysfs.toString())))
                .hasMessageContaining("no PCI device 0000:00:09.0");
        assertThatThrownBy(() -> EmulatedDevices.make("pci-config", java.util.Map.of("address", "00:03.0"))).hasMessageContaining("address=DDDD:BB:DD.F");
    }

    @Test
    void shouldAskResourceGrantForEveryGrantAndFailClosed() {
        List<String> asked = new ArrayList<>();
        try (Board guarded = new Board(log, (module, kind, resource, start, length) -> {
            asked.add(module + " " + kind + " " + resource + " " + start + "+" + length);
            if (kind.equals("ioport")) {
                throw new IllegalStateException("the policy has no rule for ports");
            }
            if (resource.endsWith("02.0")) {
                throw new NullPointerException(); // an error in the check is a refusal too
            }
        })) {
            Holder h = new Holder();
            guarded.register(driver(h));
            guarded.plug(new ScratchDevice());
            HwDevice d = h.device.get();
            d.mmio(0);
            d.irq(1, v -> IrqResult.HANDLED);
            d.dma().coherent(64);
            assertThatThrownBy(() -> d.pio(2)).isInstanceOf(HwException.class).hasMessageContaining("refused by resource_grant: the policy has no rule for ports")
                    .satisfies(e -> assertThat(((HwException) e).errno()).isEqualTo(HwException.EACCES));
            assertThat(asked).containsExactly("scratch pci 0001:00:01.0 0+0", "scratch mmio 0001:00:01.0 BAR0 0+4096",
                    "scratch irq 0001:00:01.0 vector 1 1+1", "scratch dma 0001:00:01.0 0+0", "scratch ioport 0001:00:01.0 BAR2 0+8");
            guarded.plug(new ScratchDevice());
            assertThat(guarded.list()).extracting(Board.DeviceInfo::driver).containsExactly("scratch", "");
            assertThat(messages()).anyMatch(m -> m.contains("0001:00:02.0: probe failed (errno 13): 0001:00:02.0: pci 0001:00:02.0 refused by resource_grant"));
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(2);
        }
    }
}

package dev.jdm.hw.emu.usb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.hw.emu.Faults;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CdcAcmTransferLifecycleTest {
    private MemLine line;
    private Faults faults;
    private CdcAcmDevice device;
    private TestHost host;

    @BeforeEach
    void attach() {
        line = new MemLine(false);
        faults = new Faults();
        device = new CdcAcmDevice(line, UsbSpeed.HIGH, faults);
        device.attach();
        host = new TestHost(device);
    }

    @AfterEach
    void detach() {
        device.detach();
    }

    @Test
    void shouldStallEndpointsOfAnUnconfiguredDeviceOnItsOwnThread() throws Exception {
        host.enumerate(4);
        TestHost.Urb u = host.submitIn(CdcAcmDevice.BULK_IN, 512);
        assertThat(u.await().status()).isEqualTo(TransferStatus.STALL);
        assertThat(u.threads).doesNotContain(Thread.currentThread()); // never inside submit
        assertThat(u.threads.getFirst().getName()).startsWith("usb-cdc-acm");
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_CONFIGURATION, 1, 0);
        assertThat(host.submitIn(0x84, 64).await().status()).isEqualTo(TransferStatus.STALL); // not in the configuration
        assertThat(host.submitOut(0x01, new byte[4]).await().status()).isEqualTo(TransferStatus.STALL); // endpoint 1 is IN only
        assertThat(host.submitOut(0x03, new byte[4]).await().status()).isEqualTo(TransferStatus.STALL);
    }

    @Test
    void shouldCancelAPendingTransferOnceAndOnTheCallersThread() throws Exception {
        host.configure();
        TestHost.Urb u = host.submitIn(CdcAcmDevice.BULK_IN, 512);
        assertThatThrownBy(() -> device.submit(u.transfer)).isInstanceOf(IllegalStateException.class).hasMessageContaining("already submitted");
        assertThat(u.transfer.isPending()).isTrue();
        assertThat(device.cancel(u.transfer)).isTrue();
        assertThat(u.isDone()).isTrue(); // before cancel returned
        assertThat(u.await()).extracting(TestHost.Done::status, TestHost.Done::actual).containsExactly(TransferStatus.CANCELLED, 0);
        assertThat(u.threads).containsExactly(Thread.currentThread());
        assertThat(device.cancel(u.transfer)).isFalse();
        assertThat(u.transfer.status()).isEqualTo(TransferStatus.CANCELLED);
        Transfer never = new Transfer(0x81, MemorySegment.ofArray(new byte[8]), 8, (s, n) -> {});
        assertThat(device.cancel(never)).isFalse();

        line.connected(true);
        line.feed("x".getBytes());
        TestHost.Urb done = host.submitIn(CdcAcmDevice.BULK_IN, 512);
        done.await();
        assertThat(device.cancel(done.transfer)).isFalse(); // too late
        assertThat(done.completionCount()).isEqualTo(1);
    }

    @Test
    void shouldCompleteEverythingNoDeviceOnDetachAndNothingAfter() throws Exception {
        host.configure();
        faults.stuckBusy(true); // so the bulk OUT stays pending too
        TestHost.Urb in = host.submitIn(CdcAcmDevice.BULK_IN, 512);
        TestHost.Urb out = host.submitOut(CdcAcmDevice.BULK_OUT, "pending".getBytes());
        TestHost.Urb notify = host.submitIn(CdcAcmDevice.NOTIFY_IN, 16);
        faults.delayMicros(2_000_000);
        TestHost.Urb stalled = host.submitIn(0x85, 8); // decided STALL, but not due for 2 s
        Thread.sleep(20);
        assertThat(List.of(in, out, notify, stalled)).noneMatch(TestHost.Urb::isDone);

        device.detach();
        for (TestHost.Urb u : List.of(in, out, notify, stalled)) {
            assertThat(u.isDone()).isTrue(); // before detach returned
            assertThat(u.done.getNow(null).status()).isEqualTo(TransferStatus.NO_DEVICE);
        }
        assertThat(device.state()).isEqualTo(UsbDeviceState.DETACHED);
        faults.stuckBusy(false).delayMicros(0);
        line.connected(true);
        line.feed("late".getBytes());
        Thread.sleep(50);
        for (TestHost.Urb u : List.of(in, out, notify, stalled)) {
            assertThat(u.completionCount()).isEqualTo(1);
        }
        assertThat(line.sent()).isEmpty();

        TestHost.Urb refused = new TestHost.Urb(CdcAcmDevice.BULK_IN, 64, null);
        assertThatThrownBy(() -> device.submit(refused.transfer))
                .isInstanceOfSatisfying(UsbTransferException.class, e -> assertThat(e.status()).isEqualTo(TransferStatus.NO_DEVICE));
        assertThat(refused.transfer.isPending()).isFalse();
        assertThat(device.cancel(in.transfer)).isFalse();
        device.detach(); // twice is harmless
        device.attach(); // and the same transfer objects work on the new attachment
        host.configure();
        device.submit(refused.transfer);
        assertThat(device.cancel(refused.transfer)).isTrue();
    }

    @Test
    void shouldCancelWhatIsQueuedWhenTheHostDeconfiguresOrResets() throws Exception {
        host.configure();
        TestHost.Urb a = host.submitIn(CdcAcmDevice.BULK_IN, 512);
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_CONFIGURATION, 0, 0);
        assertThat(a.await().status()).isEqualTo(TransferStatus.CANCELLED);
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_CONFIGURATION, 1, 0);
        TestHost.Urb b = host.submitIn(CdcAcmDevice.NOTIFY_IN, 16);
        TestHost.Urb c = host.submitIn(CdcAcmDevice.BULK_IN, 512);
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_CONFIGURATION, 1, 0); // selecting it again keeps what is queued
        Thread.sleep(20);
        assertThat(b.isDone()).isFalse();
        device.reset();
        assertThat(b.await().status()).isEqualTo(TransferStatus.CANCELLED);
        assertThat(c.await().status()).isEqualTo(TransferStatus.CANCELLED);
        assertThat(host.submitIn(CdcAcmDevice.BULK_IN, 512).await().status()).isEqualTo(TransferStatus.STALL); // Default state now
    }

    @Test
    void shouldTakeATransferResubmittedFromItsOwnCompletion() throws Exception {
        host.configure();
        line.connected(true);
        byte[] buf = new byte[64];
        List<String> got = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> three = new CompletableFuture<>();
        AtomicReference<Transfer> self = new AtomicReference<>();
        Transfer t = new Transfer(CdcAcmDevice.BULK_IN, MemorySegment.ofArray(buf), 64, (s, n) -> {
            got.add(new String(buf, 0, n));
            if (got.size() == 3) {
                three.complete(null);
                return;
            }
            try {
                device.submit(self.get()); // as a URB ring does
            } catch (UsbTransferException e) {
                three.completeExceptionally(e);
            }
        });
        self.set(t);
        device.submit(t);
        String[] words = {"one", "two", "six"};
        for (int i = 0; i < words.length; i++) {
            line.feed(words[i].getBytes());
            int n = i + 1;
            TestHost.await(() -> got.size() == n); // each its own short packet
        }
        three.get(5, TimeUnit.SECONDS);
        assertThat(got).containsExactly("one", "two", "six");
    }

    @Test
    void shouldRefuseADetachFromItsOwnCompletionAndADoubleAttach() throws Exception {
        assertThatThrownBy(device::attach).isInstanceOf(IllegalStateException.class).hasMessageContaining("already attached");
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Transfer t = new Transfer(0x81, MemorySegment.ofArray(new byte[8]), 8, (s, n) -> {
            try {
                device.detach();
                thrown.complete(null);
            } catch (IllegalStateException e) {
                thrown.complete(e);
            }
        });
        device.submit(t); // unconfigured: STALL on the device's thread
        assertThat(thrown.get(5, TimeUnit.SECONDS)).hasMessageContaining("join itself");
        assertThat(device.state()).isEqualTo(UsbDeviceState.DEFAULT);
    }
}

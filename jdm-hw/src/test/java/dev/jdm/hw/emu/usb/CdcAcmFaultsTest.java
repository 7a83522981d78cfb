package dev.jdm.hw.emu.usb;

import static dev.jdm.hw.emu.usb.CdcAcmSerialStateTest.serialState;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.hw.emu.Faults;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CdcAcmFaultsTest {
    private MemLine line;
    private Faults faults;
    private CdcAcmDevice device;
    private TestHost host;

    @BeforeEach
    void attach() throws Exception {
        line = new MemLine(false);
        faults = new Faults();
        device = new CdcAcmDevice(line, UsbSpeed.FULL, faults);
        device.attach();
        host = new TestHost(device);
        host.configure();
        assertThat(device.faults()).isSameAs(faults);
    }

    @AfterEach
    void detach() {
        device.detach();
    }

    @Test
    void shouldFailEveryNthTransferWithATransactionErrorAndLoseNoData() throws Exception {
        faults.errorEvery(2);
        List<TransferStatus> out = new ArrayList<>();
        for (String s : new String[] {"a", "b", "c", "d"}) {
            out.add(host.submitOut(CdcAcmDevice.BULK_OUT, s.getBytes()).await().status());
        }
        assertThat(out).containsExactly(TransferStatus.COMPLETED, TransferStatus.ERROR, TransferStatus.COMPLETED, TransferStatus.ERROR);
        assertThat(line.awaitSent(2, 1000)).isEqualTo("ac".getBytes()); // nothing of a failed OUT reached the line

        line.connected(true);
        line.feed("kept".getBytes());
        TestHost.await(() -> line.unread() == 0);
        TestHost.Done fifth = host.submitIn(CdcAcmDevice.BULK_IN, 64).await();
        assertThat(fifth.status()).isEqualTo(TransferStatus.COMPLETED);
        assertThat(fifth.bytes()).isEqualTo("kept".getBytes());
        line.feed("more".getBytes());
        TestHost.await(() -> line.unread() == 0);
        TestHost.Done sixth = host.submitIn(CdcAcmDevice.BULK_IN, 64).await();
        assertThat(sixth).extracting(TestHost.Done::status, TestHost.Done::actual).containsExactly(TransferStatus.ERROR, 0);
        TestHost.Done seventh = host.submitIn(CdcAcmDevice.BULK_IN, 64).await(); // the packet was not acknowledged, so it comes again
        assertThat(seventh.status()).isEqualTo(TransferStatus.COMPLETED);
        assertThat(seventh.bytes()).isEqualTo("more".getBytes());
        TestHost.Urb eighth = host.submitIn(CdcAcmDevice.NOTIFY_IN, 16); // interrupt transfers count too
        assertThat(eighth.await().status()).isEqualTo(TransferStatus.ERROR);
        assertThat(host.submitIn(CdcAcmDevice.NOTIFY_IN, 16).await().bytes()).isEqualTo(serialState(3));
    }

    @Test
    void shouldDelayEveryCompletion() throws Exception {
        faults.delayMicros(80_000);
        long t0 = System.nanoTime();
        assertThat(host.submitOut(CdcAcmDevice.BULK_OUT, "slow".getBytes()).await().status()).isEqualTo(TransferStatus.COMPLETED);
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(80_000_000L);
        assertThat(line.sent()).isEqualTo("slow".getBytes()); // the data went at once; the completion waited
        t0 = System.nanoTime();
        assertThat(host.submitIn(0x85, 8).await().status()).isEqualTo(TransferStatus.STALL);
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(80_000_000L);
    }

    @Test
    void shouldLoseEveryNthNotification() throws Exception {
        faults.dropInterruptEvery(2);
        TestHost.Urb u = host.submitIn(CdcAcmDevice.NOTIFY_IN, 16);
        line.connected(true); // the 1st: sent
        assertThat(u.await().bytes()).isEqualTo(serialState(3));
        TestHost.Urb lost = host.submitIn(CdcAcmDevice.NOTIFY_IN, 16);
        line.connected(false); // the 2nd: lost
        TestHost.await(() -> device.serialState() == 0);
        Thread.sleep(30);
        assertThat(lost.isDone()).isFalse();
        line.connected(true); // the 3rd: sent
        assertThat(lost.await().bytes()).isEqualTo(serialState(3));
    }

    @Test
    void shouldSendASpuriousRepeatAfterEveryNthNotification() throws Exception {
        faults.spuriousInterruptEvery(1);
        line.connected(true);
        assertThat(host.submitIn(CdcAcmDevice.NOTIFY_IN, 16).await().bytes()).isEqualTo(serialState(3));
        assertThat(host.submitIn(CdcAcmDevice.NOTIFY_IN, 16).await().bytes()).isEqualTo(serialState(3)); // nothing changed
        TestHost.Urb none = host.submitIn(CdcAcmDevice.NOTIFY_IN, 16);
        Thread.sleep(30);
        assertThat(none.isDone()).isFalse();
        device.cancel(none.transfer);
    }

    @Test
    void shouldNakBulkForeverWhileStuckBusyUntilCancelled() throws Exception {
        line.connected(true);
        assertThat(host.submitIn(CdcAcmDevice.NOTIFY_IN, 16).await().status()).isEqualTo(TransferStatus.COMPLETED);
        faults.stuckBusy(true);
        line.feed("waiting".getBytes());
        TestHost.Urb in = host.submitIn(CdcAcmDevice.BULK_IN, 64);
        TestHost.Urb out = host.submitOut(CdcAcmDevice.BULK_OUT, "held".getBytes());
        line.connected(false); // the interrupt pipe is not stuck
        assertThat(host.submitIn(CdcAcmDevice.NOTIFY_IN, 16).await().bytes()).isEqualTo(serialState(0));
        Thread.sleep(50);
        assertThat(in.isDone()).isFalse();
        assertThat(out.isDone()).isFalse();
        assertThat(line.sent()).isEmpty();
        assertThat(device.cancel(out.transfer)).isTrue();
        assertThat(out.await().status()).isEqualTo(TransferStatus.CANCELLED);
        faults.stuckBusy(false); // cleared: the pipes move again
        assertThat(in.await().bytes()).isEqualTo("waiting".getBytes());
        assertThat(host.submitOut(CdcAcmDevice.BULK_OUT, "free".getBytes()).await().status()).isEqualTo(TransferStatus.COMPLETED);
        assertThat(line.awaitSent(4, 1000)).isEqualTo("free".getBytes());
    }
}

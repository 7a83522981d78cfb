package dev.jdm.hw.emu.usb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.hw.emu.Faults;
import dev.jdm.hw.emu.uart.UnixSocketLine;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CdcAcmSerialStateTest {
    @TempDir
    Path dir;

    /** A SERIAL_STATE notification (PSTN 1.2 §6.5.4) to interface 0 with this UART state. */
    static byte[] serialState(int state) {
        return TestHost.b(0xa1, 0x20, 0, 0, 0, 0, 2, 0, state, 0);
    }

    @Test
    void shouldNotifyCarrierAsThePeerConnectsAndLeaves() throws Exception {
        Path sock = dir.resolve("state.sock");
        try (UnixSocketLine line = UnixSocketLine.listen(sock)) {
            CdcAcmDevice device = new CdcAcmDevice(line, UsbSpeed.HIGH, new Faults());
            device.attach();
            TestHost host = new TestHost(device);
            host.configure();
            TestHost.Urb first = host.submitIn(CdcAcmDevice.NOTIFY_IN, 16);
            Thread.sleep(30);
            assertThat(first.isDone()).isFalse(); // nobody there, nothing to say
            try (SocketChannel peer = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                TestHost.Done up = first.await();
                assertThat(up.status()).isEqualTo(TransferStatus.COMPLETED);
                assertThat(up.bytes()).isEqualTo(serialState(Cdc.STATE_DCD | Cdc.STATE_DSR));
                assertThat(device.serialState()).isEqualTo(3);
            }
            TestHost.Done down = host.submitIn(CdcAcmDevice.NOTIFY_IN, 16).await();
            assertThat(down.bytes()).isEqualTo(serialState(0));
            assertThat(device.serialState()).isZero();
            device.detach();
        }
    }

    @Test
    void shouldReportAPeerThatWasThereBeforeConfigurationAndKeepNotificationsForALateHost() throws Exception {
        MemLine line = new MemLine(true);
        CdcAcmDevice device = new CdcAcmDevice(line, UsbSpeed.FULL, new Faults());
        device.attach();
        TestHost host = new TestHost(device);
        host.configure();
        TestHost.await(() -> device.serialState() == 3);
        line.connected(false);
        TestHost.await(() -> device.serialState() == 0);
        // both changes wait for the host, oldest first
        assertThat(host.submitIn(CdcAcmDevice.NOTIFY_IN, 64).await().bytes()).isEqualTo(serialState(3));
        assertThat(host.submitIn(CdcAcmDevice.NOTIFY_IN, 10).await().bytes()).isEqualTo(serialState(0));
        device.detach();
    }

    @Test
    void shouldBabbleIntoABufferTooSmallForTheNotification() throws Exception {
        MemLine line = new MemLine(true);
        CdcAcmDevice device = new CdcAcmDevice(line, UsbSpeed.HIGH, new Faults());
        device.attach();
        TestHost host = new TestHost(device);
        host.configure();
        TestHost.Done small = host.submitIn(CdcAcmDevice.NOTIFY_IN, 8).await();
        assertThat(small.status()).isEqualTo(TransferStatus.BABBLE);
        assertThat(host.submitIn(CdcAcmDevice.NOTIFY_IN, 16).await().bytes()).isEqualTo(serialState(3)); // still there
        device.detach();
    }

    @Test
    void shouldDropTheCarrierWhenTheLineFails() throws Exception {
        MemLine line = new MemLine(true);
        CdcAcmDevice device = new CdcAcmDevice(line, UsbSpeed.HIGH, new Faults());
        device.attach();
        TestHost host = new TestHost(device);
        host.configure();
        assertThat(host.submitIn(CdcAcmDevice.NOTIFY_IN, 16).await().bytes()).isEqualTo(serialState(3));
        line.fail();
        assertThat(host.submitIn(CdcAcmDevice.NOTIFY_IN, 16).await().bytes()).isEqualTo(serialState(0));
        // the device goes on, as a UART whose cable was pulled: OUT data is accepted and lost
        assertThat(host.submitOut(CdcAcmDevice.BULK_OUT, "lost".getBytes()).await().status()).isEqualTo(TransferStatus.COMPLETED);
        assertThat(host.in(Ch9.RT_DEVICE_IN, Ch9.GET_CONFIGURATION, 0, 0, 1)).containsExactly(1);
        device.detach();
    }
}

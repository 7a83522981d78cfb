package dev.jdm.hw.emu.usb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.hw.emu.Faults;
import dev.jdm.hw.emu.uart.UnixSocketLine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CdcAcmBulkTest {
    @TempDir
    Path dir;

    @Test
    void shouldCarryBulkBothWaysThroughAUnixSocketPeer() throws Exception {
        Path sock = dir.resolve("acm0.sock");
        try (UnixSocketLine line = UnixSocketLine.listen(sock)) {
            CdcAcmDevice device = new CdcAcmDevice(line, UsbSpeed.HIGH, new Faults());
            device.attach();
            TestHost host = new TestHost(device);
            host.configure(); // no SET_CONTROL_LINE_STATE: data flows without DTR
            try (SocketChannel peer = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                TestHost.await(line::connected);
                TestHost.Done sent = host.submitOut(CdcAcmDevice.BULK_OUT, "hello".getBytes()).await();
                assertThat(sent).extracting(TestHost.Done::status, TestHost.Done::actual).containsExactly(TransferStatus.COMPLETED, 5);
                assertThat(readFully(peer, 5)).isEqualTo("hello".getBytes());

                peer.write(ByteBuffer.wrap("world".getBytes()));
                TestHost.Done got = host.submitIn(CdcAcmDevice.BULK_IN, 512).await();
                assertThat(got.status()).isEqualTo(TransferStatus.COMPLETED); // ended by a short packet
                assertThat(got.bytes()).isEqualTo("world".getBytes());
            }
            assertThat(device.controlLineState()).isZero();
            device.detach();
        }
    }

    @Test
    void shouldEchoMoreThanAPacketThroughAPeerThatLoopsBack() throws Exception {
        Path sock = dir.resolve("echo.sock");
        byte[] data = TestHost.pattern(20_000, 7);
        try (UnixSocketLine line = UnixSocketLine.listen(sock)) {
            CdcAcmDevice device = new CdcAcmDevice(line, UsbSpeed.FULL, new Faults());
            device.attach();
            TestHost host = new TestHost(device);
            host.configure();
            try (SocketChannel peer = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                TestHost.await(line::connected);
                CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> echo(peer, data.length));
                for (int at = 0; at < data.length; at += 4096) { // OUT transfers of 64 packets each
                    byte[] chunk = Arrays.copyOfRange(data, at, Math.min(data.length, at + 4096));
                    assertThat(host.submitOut(CdcAcmDevice.BULK_OUT, chunk).await().actual()).isEqualTo(chunk.length);
                }
                assertThat(host.readIn(data.length, 1024)).isEqualTo(data);
                echo.get(5, TimeUnit.SECONDS);
            }
            assertThat(line.droppedBytes()).isZero();
            device.detach();
        }
    }

    @Test
    void shouldEndATransferOnAShortPacketOrWhenItIsFull() throws Exception {
        MemLine line = new MemLine(true);
        CdcAcmDevice device = new CdcAcmDevice(line, UsbSpeed.FULL, new Faults());
        device.attach();
        TestHost host = new TestHost(device);
        host.configure();
        byte[] data = TestHost.pattern(100, 1);
        line.feed(data);
        TestHost.Done d = host.submitIn(CdcAcmDevice.BULK_IN, 1024).await();
        assertThat(d.status()).isEqualTo(TransferStatus.COMPLETED);
        assertThat(d.actual()).isEqualTo(100); // 64 + a short 36
        assertThat(d.bytes()).isEqualTo(data);

        line.feed(TestHost.pattern(192, 2));
        TestHost.Done full = host.submitIn(CdcAcmDevice.BULK_IN, 128).await(); // two full packets fill it
        assertThat(full.actual()).isEqualTo(128);
        assertThat(full.bytes()).isEqualTo(Arrays.copyOf(TestHost.pattern(192, 2), 128));
        TestHost.Done rest = host.submitIn(CdcAcmDevice.BULK_IN, 1024).await(); // one full packet, then a zero-length one
        assertThat(rest.actual()).isEqualTo(64);
        assertThat(rest.bytes()).isEqualTo(Arrays.copyOfRange(TestHost.pattern(192, 2), 128, 192));
        device.detach();
    }

    @Test
    void shouldBabbleWhenAPacketDoesNotFitAndKeepItsData() throws Exception {
        MemLine line = new MemLine(true);
        CdcAcmDevice device = new CdcAcmDevice(line, UsbSpeed.FULL, new Faults());
        device.attach();
        TestHost host = new TestHost(device);
        host.configure();
        line.feed(TestHost.pattern(64, 3));
        TestHost.await(() -> line.unread() == 0);
        TestHost.Done babble = host.submitIn(CdcAcmDevice.BULK_IN, 10).await(); // not a multiple of the packet size
        assertThat(babble.status()).isEqualTo(TransferStatus.BABBLE);
        assertThat(babble.actual()).isZero();
        TestHost.Done again = host.submitIn(CdcAcmDevice.BULK_IN, 64).await(); // the packet was never acknowledged
        assertThat(again.status()).isEqualTo(TransferStatus.COMPLETED);
        assertThat(again.bytes()).isEqualTo(TestHost.pattern(64, 3));
        line.feed(TestHost.pattern(5, 4));
        assertThat(host.submitIn(CdcAcmDevice.BULK_IN, 10).await().bytes()).isEqualTo(TestHost.pattern(5, 4)); // a short packet fits
        device.detach();
    }

    @Test
    void shouldSendZeroLengthOutTransfersAndKeepOrder() throws Exception {
        MemLine line = new MemLine(true);
        CdcAcmDevice device = new CdcAcmDevice(line, UsbSpeed.HIGH, new Faults());
        device.attach();
        TestHost host = new TestHost(device);
        host.configure();
        TestHost.Urb a = host.submitOut(CdcAcmDevice.BULK_OUT, "ab".getBytes());
        TestHost.Urb zlp = host.submitOut(CdcAcmDevice.BULK_OUT, new byte[0]);
        TestHost.Urb c = host.submitOut(CdcAcmDevice.BULK_OUT, "cd".getBytes());
        assertThat(c.await().actual()).isEqualTo(2);
        assertThat(zlp.await().status()).isEqualTo(TransferStatus.COMPLETED);
        assertThat(a.await().actual()).isEqualTo(2);
        assertThat(line.awaitSent(4, 5000)).isEqualTo("abcd".getBytes());
        device.detach();
    }

    @Test
    void shouldHoldWhatArrivesUntilTheHostAsksAndStopReadingWhenFull() throws Exception {
        MemLine line = new MemLine(true);
        CdcAcmDevice device = new CdcAcmDevice(line, UsbSpeed.HIGH, new Faults());
        device.attach();
        TestHost host = new TestHost(device);
        line.feed("early".getBytes());
        Thread.sleep(20);
        assertThat(line.unread()).isEqualTo(5); // nothing is read before SET_CONFIGURATION
        host.configure();
        byte[] lots = TestHost.pattern(AcmPipes.RX_CAPACITY + 1000, 5);
        line.feed(lots);
        TestHost.await(() -> line.unread() == 1005); // the device holds 8 KiB and leaves the rest on the line
        byte[] all = new byte[5 + lots.length];
        System.arraycopy("early".getBytes(), 0, all, 0, 5);
        System.arraycopy(lots, 0, all, 5, lots.length);
        assertThat(host.readIn(all.length, 4096)).isEqualTo(all);
        device.detach();
    }

    private static void echo(SocketChannel peer, int n) {
        ByteBuffer b = ByteBuffer.allocate(1024);
        try {
            for (int done = 0; done < n; ) {
                b.clear();
                int r = peer.read(b);
                if (r < 0) {
                    throw new IOException("the device side closed after " + done + " bytes");
                }
                b.flip();
                while (b.hasRemaining()) {
                    peer.write(b);
                }
                done += r;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] readFully(SocketChannel ch, int n) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            ByteBuffer b = ByteBuffer.allocate(n);
            try {
                while (b.hasRemaining() && ch.read(b) >= 0) {
                    // more to come
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            got.write(b.array(), 0, b.position());
        });
        done.get(5, TimeUnit.SECONDS);
        return got.toByteArray();
    }
}

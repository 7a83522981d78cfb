package dev.jdm.hw.emu.uart;

import static dev.jdm.hw.emu.uart.Uart16550Registers.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.hw.emu.Faults;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SerialLinesTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void shouldTransmitToAndReceiveFromAUnixSocketPeer() throws Exception {
        Path sock = dir.resolve("ttyS0.sock");
        try (UnixSocketLine line = UnixSocketLine.listen(sock)) {
            Uart16550Device device = new Uart16550Device(line, Uart16550Device.Pacing.NONE, new Faults());
            Uart u = new Uart(device);
            device.plug(new RecordingBoard());
            try (SocketChannel peer = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                u.setUp8n1(1);
                u.out(FCR, FCR_ENABLE); // unpaced, "world" arrives at once: RBR alone would overrun
                Uart.await(() -> (u.in(MSR) & MSR_DCD) != 0, WAIT); // the peer is the carrier
                u.send("hello".getBytes());
                assertThat(readFully(peer, 5)).isEqualTo("hello".getBytes());

                peer.write(ByteBuffer.wrap("world".getBytes()));
                assertThat(u.receive(5, WAIT)).isEqualTo("world".getBytes());
            }
            Uart.await(() -> (u.in(MSR) & MSR_DCD) == 0, WAIT);
            device.unplug();
        }
        assertThat(sock).doesNotExist();
    }

    @Test
    void shouldServeOnePeerAtATime() throws Exception {
        Path sock = dir.resolve("one.sock");
        try (UnixSocketLine line = UnixSocketLine.listen(sock)) {
            Uart16550Device device = new Uart16550Device(line, Uart16550Device.Pacing.NONE, new Faults());
            Uart u = new Uart(device);
            u.setUp8n1(1);
            device.plug(new RecordingBoard());
            SocketChannel first = SocketChannel.open(UnixDomainSocketAddress.of(sock));
            Uart.await(line::connected, WAIT);
            try (SocketChannel second = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                second.write(ByteBuffer.wrap("2".getBytes()));
                first.write(ByteBuffer.wrap("1".getBytes()));
                assertThat(u.receive(1, WAIT)).containsExactly('1');
                Thread.sleep(100);
                assertThat(u.in(LSR) & LSR_DR).isZero(); // the second waits in the backlog
                first.close();
                assertThat(u.receive(1, WAIT)).containsExactly('2');
                u.send("!".getBytes());
                assertThat(readFully(second, 1)).containsExactly('!');
            }
            device.unplug();
        }
    }

    @Test
    void shouldLoseWhatIsSentWithNoPeer() throws Exception {
        try (UnixSocketLine line = UnixSocketLine.listen(dir.resolve("none.sock"))) {
            line.send("lost".getBytes(), 0, 4);
            assertThat(line.droppedBytes()).isEqualTo(4);
            assertThat(line.connected()).isFalse();
        }
    }

    @Test
    void shouldRefuseAPathThatIsTakenAndSaySo() throws Exception {
        Path taken = Files.createFile(dir.resolve("taken"));
        assertThatThrownBy(() -> UnixSocketLine.listen(taken))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(taken.toString())
                .hasMessageContaining("the path exists");
    }

    @Test
    void shouldEchoThroughThePtySlave() throws Exception {
        try (PtyLine line = PtyLine.open()) {
            assertThat(line.slavePath().toString()).startsWith("/dev/pts/");
            Uart16550Device device = new Uart16550Device(line, Uart16550Device.Pacing.NONE, new Faults());
            Uart u = new Uart(device);
            u.setUp8n1(1);
            u.out(FCR, FCR_ENABLE);
            device.plug(new RecordingBoard());
            try (RandomAccessFile tty = new RandomAccessFile(line.slavePath().toFile(), "rw")) {
                tty.write("ping\n".getBytes()); // raw mode: no echo, no line discipline
                byte[] got = u.receive(5, WAIT);
                assertThat(got).isEqualTo("ping\n".getBytes());
                u.send(got);
                byte[] echoed = CompletableFuture.supplyAsync(() -> readFully(tty, 5)).get(5, TimeUnit.SECONDS);
                assertThat(echoed).isEqualTo("ping\n".getBytes());
            }
            assertThat(line.connected()).isTrue(); // the slave's last user left; the line stays
            device.unplug();
        }
    }

    @Test
    void shouldFailPtyUseAfterClose() throws Exception {
        PtyLine line = PtyLine.open();
        line.close();
        line.wakeup(); // harmless
        assertThatThrownBy(() -> line.receive(ByteBuffer.allocate(1), 0)).isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThat(line.connected()).isFalse();
    }

    private static byte[] readFully(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        ch.configureBlocking(true);
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            try {
                while (b.hasRemaining() && ch.read(b) >= 0) {
                    // more to come
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("peer read " + b.position() + " of " + n + " bytes", e);
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] readFully(RandomAccessFile f, int n) {
        byte[] b = new byte[n];
        try {
            f.readFully(b);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return b;
    }
}

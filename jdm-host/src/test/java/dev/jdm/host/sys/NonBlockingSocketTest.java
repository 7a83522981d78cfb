package dev.jdm.host.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NonBlockingSocketTest {
    @TempDir
    Path dir;
    SocketChannel server;
    SocketChannel client;

    @BeforeEach
    void connect() throws IOException {
        Path path = dir.resolve("s.sock");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(path));
            client = SocketChannel.open(UnixDomainSocketAddress.of(path));
            server = listener.accept();
        }
        Files.deleteIfExists(path);
    }

    @AfterEach
    void close() throws IOException {
        server.close();
        client.close();
    }

    private static ByteBuffer pattern(int length, int seed) {
        ByteBuffer b = ByteBuffer.allocateDirect(length);
        for (int i = 0; i < length; i++) {
            b.put((byte) (seed + i * 31));
        }
        return b.flip();
    }

    @Test
    void sendsGatheredBuffersInOrderAndAdvancesThem() throws IOException {
        NonBlockingSocket s = NonBlockingSocket.of(server).orElseThrow();
        ByteBuffer[] bufs = {pattern(10, 1), ByteBuffer.allocateDirect(0), pattern(5000, 2), pattern(3, 3)};
        assertThat(s.send(bufs)).isEqualTo(5013);
        for (ByteBuffer b : bufs) {
            assertThat(b.hasRemaining()).isFalse();
        }
        ByteBuffer got = ByteBuffer.allocate(5013);
        while (got.hasRemaining()) {
            client.read(got);
        }
        ByteBuffer want = ByteBuffer.allocate(5013).put(pattern(10, 1)).put(pattern(5000, 2)).put(pattern(3, 3));
        assertThat(got.array()).isEqualTo(want.array());
        s.close();
    }

    @Test
    void stopsWhenTheSocketBufferIsFullAndGoesOnWhereItStopped() throws IOException {
        NonBlockingSocket s = NonBlockingSocket.of(server).orElseThrow();
        // more iovecs than one call takes, and far more bytes than a socket buffer holds
        int count = NonBlockingSocket.MAX_IOV * 3;
        ByteBuffer[] bufs = new ByteBuffer[count];
        long total = 0;
        for (int i = 0; i < count; i++) {
            bufs[i] = pattern(16 << 10, i);
            total += bufs[i].remaining();
        }
        long first = s.send(bufs); // a peer that does not read: this must return, not wait
        assertThat(first).isPositive().isLessThan(total);
        assertThat(s.send(bufs)).isZero();
        long advanced = 0;
        for (ByteBuffer b : bufs) {
            advanced += b.position();
        }
        assertThat(advanced).isEqualTo(first);

        ByteBuffer got = ByteBuffer.allocate((int) total);
        long sent = first;
        while (got.hasRemaining()) {
            client.read(got);
            sent += s.send(bufs);
        }
        assertThat(sent).isEqualTo(total);
        ByteBuffer want = ByteBuffer.allocate((int) total);
        for (int i = 0; i < count; i++) {
            want.put(pattern(16 << 10, i));
        }
        assertThat(got.array()).isEqualTo(want.array());
        s.close();
    }

    @Test
    void refusesHeapBuffersAndSendsAfterClose() throws IOException {
        NonBlockingSocket s = NonBlockingSocket.of(server).orElseThrow();
        assertThatThrownBy(() -> s.send(new ByteBuffer[] {ByteBuffer.allocate(4)}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not direct");
        s.close();
        s.close(); // twice is harmless
        assertThatThrownBy(() -> s.send(new ByteBuffer[] {pattern(4, 0)})).isInstanceOf(ClosedChannelException.class);
        // the channel's own descriptor is untouched
        server.write(ByteBuffer.wrap(new byte[] {7}));
        ByteBuffer one = ByteBuffer.allocate(1);
        client.read(one);
        assertThat(one.get(0)).isEqualTo((byte) 7);
    }

    @Test
    void keepsTheSocketOpenUntilBothDescriptorsAreClosed() throws IOException {
        NonBlockingSocket s = NonBlockingSocket.of(server).orElseThrow();
        server.close();
        assertThat(s.send(new ByteBuffer[] {pattern(3, 9)})).isEqualTo(3);
        ByteBuffer got = ByteBuffer.allocate(3);
        while (got.hasRemaining()) {
            client.read(got);
        }
        s.close();
        assertThat(client.read(ByteBuffer.allocate(1))).isEqualTo(-1); // now the peer sees the end
    }

    @Test
    void aPeerThatHungUpIsAnError() throws IOException {
        NonBlockingSocket s = NonBlockingSocket.of(server).orElseThrow();
        client.close();
        assertThatThrownBy(() -> {
            for (int i = 0; i < 4; i++) {
                s.send(new ByteBuffer[] {pattern(4096, i)});
            }
        }).isInstanceOf(IOException.class).hasMessageContaining("sendmsg(fd").hasMessageContaining("EPIPE");
        s.close();
    }
}

package dev.jdm.host.export.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jdm.host.block.CompletionBatch;
import dev.jdm.host.sys.NonBlockingSocket;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who sends a connection's replies: the reader, a thread that completes a batch, or the writer thread. */
class ReplyWriterTest {
    private static final int DATA = 4096;

    @TempDir
    Path dir;
    SocketChannel server;
    SocketChannel client;
    final AtomicInteger released = new AtomicInteger();

    @BeforeEach
    void connect() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(dir.resolve("s.sock")));
            client = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("s.sock")));
            server = listener.accept();
        }
        client.configureBlocking(false);
    }

    @AfterEach
    void close() throws IOException {
        server.close();
        client.close();
    }

    private ReplyWriter.Reply reply(int i, boolean data) {
        byte[] head = ByteBuffer.allocate(8).putInt(0x67446698).putInt(i).array();
        ByteBuffer payload = null;
        if (data) {
            payload = ByteBuffer.allocateDirect(DATA);
            for (int k = 0; k < DATA; k++) {
                payload.put((byte) (i + k));
            }
            payload.flip();
        }
        return new ReplyWriter.Reply(head, payload, released::incrementAndGet);
    }

    /** Reads replies {@code from} to {@code to - 1} in order (heads, and data when {@code data}), waiting at most 10 s. */
    private void expect(int from, int to, boolean data) throws IOException, InterruptedException {
        int each = 8 + (data ? DATA : 0);
        ByteBuffer got = ByteBuffer.allocate((to - from) * each);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (got.hasRemaining() && System.nanoTime() < deadline) {
            if (client.read(got) == 0) {
                Thread.sleep(1);
            }
        }
        assertThat(got.hasRemaining()).as("all replies arrived").isFalse();
        got.flip();
        for (int i = from; i < to; i++) {
            assertThat(got.getInt()).isEqualTo(0x67446698);
            assertThat(got.getInt()).as("reply in order").isEqualTo(i);
            for (int k = 0; data && k < DATA; k++) {
                assertThat(got.get()).isEqualTo((byte) (i + k));
            }
        }
    }

    private boolean nothingArrives() throws IOException, InterruptedException {
        Thread.sleep(100);
        return client.read(ByteBuffer.allocate(1)) == 0;
    }

    @Test
    void aBatchsCompletingThreadSendsItsRepliesItself() throws Exception {
        ReplyWriter w = new ReplyWriter(server, NonBlockingSocket.of(server).orElseThrow());
        // no writer thread runs: only the completing thread can have sent them
        Thread t = Thread.ofPlatform().start(() -> CompletionBatch.run(() -> {
            for (int i = 0; i < 5; i++) {
                w.send(reply(i, i % 2 == 0));
            }
        }));
        t.join();
        ByteBuffer got = ByteBuffer.allocate(5 * 8 + 3 * DATA);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (got.hasRemaining() && System.nanoTime() < deadline) {
            client.read(got);
        }
        assertThat(got.hasRemaining()).isFalse();
        assertThat(released).hasValue(5);
        w.close();
    }

    @Test
    void withoutASenderBesideTheChannelTheWriterThreadSends() throws Exception {
        ReplyWriter w = new ReplyWriter(server, null); // as on TLS
        CompletionBatch.run(() -> w.send(reply(0, false)));
        assertThat(nothingArrives()).isTrue();
        Thread writer = Thread.ofPlatform().start(w::run);
        expect(0, 1, false);
        w.finish();
        writer.join(5_000);
        assertThat(writer.isAlive()).isFalse();
        assertThat(released).hasValue(1);
    }

    @Test
    void aCorkedReaderSendsTheBatchWhenItUncorks() throws Exception {
        ReplyWriter w = new ReplyWriter(server, NonBlockingSocket.of(server).orElseThrow());
        w.cork();
        Thread t = Thread.ofPlatform().start(() -> CompletionBatch.run(() -> w.send(reply(0, true))));
        t.join();
        assertThat(nothingArrives()).isTrue();
        w.flush();
        expect(0, 1, true);
        w.close();
    }

    @Test
    void aPayloadInHeapMemoryGoesThroughTheWriterThread() throws Exception {
        ReplyWriter w = new ReplyWriter(server, NonBlockingSocket.of(server).orElseThrow());
        Thread writer = Thread.ofPlatform().start(w::run);
        byte[] head = ByteBuffer.allocate(8).putInt(0x67446698).putInt(0).array();
        ByteBuffer heap = ByteBuffer.allocate(DATA);
        for (int k = 0; k < DATA; k++) {
            heap.put((byte) k);
        }
        heap.flip();
        CompletionBatch.run(() -> w.send(new ReplyWriter.Reply(head, heap, released::incrementAndGet)));
        expect(0, 1, true);
        w.finish();
        writer.join(5_000);
        assertThat(released).hasValue(1);
        w.close();
    }

    @Test
    void aClientThatDoesNotReadNeverHoldsUpTheCompletingThread() throws Exception {
        ReplyWriter w = new ReplyWriter(server, NonBlockingSocket.of(server).orElseThrow());
        Thread writer = Thread.ofPlatform().start(w::run);
        int batches = 64;
        int perBatch = 16; // 64 KiB a batch, 4 MiB in all: far beyond the socket's buffer
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int b = 0; b < batches; b++) {
                int first = b * perBatch;
                CompletionBatch.run(() -> {
                    for (int i = first; i < first + perBatch; i++) {
                        w.send(reply(i, true));
                    }
                });
            }
        });
        assertThat(released.get()).as("most replies wait for the client").isLessThan(batches * perBatch);
        expect(0, batches * perBatch, true);
        w.finish();
        writer.join(5_000);
        assertThat(writer.isAlive()).isFalse();
        assertThat(released).hasValue(batches * perBatch);
        w.close();
    }
}

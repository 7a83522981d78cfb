package dev.jdm.host.export.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.host.export.ExportAccess;
import dev.jdm.host.export.nbd.tls.TlsSettings;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The NBD server against hostile local clients: memory that follows bytes, ENOMEM, per-uid slots, idle sessions. */
class NbdLimitsTest extends NbdServerFixture {
    private static final long EXPORT_BYTES = 512L << 20;

    private void start(int perUid, long idleMillis) throws Exception {
        start(ExportAccess.ALLOW_ALL, Duration.ofSeconds(10), TlsSettings.OFF, new NbdLimits(() -> perUid, () -> idleMillis, () -> EXPORT_BYTES));
    }

    /** A WRITE header for {@code length} bytes at 0, followed by the first {@code sent} bytes of its payload. */
    private static ByteBuffer writeHead(int length, int sent) {
        ByteBuffer b = ByteBuffer.allocate(28 + sent).putInt(0x25609513).putShort((short) 0).putShort((short) RawNbdClient.CMD_WRITE)
                .putLong(1).putLong(0).putInt(length);
        return b.position(b.capacity()).flip();
    }

    @Test
    void shouldHoldOnlyWhatArrivedOfAnnouncedWrites() throws Exception {
        start(64, 0);
        List<RawNbdClient> hostile = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) { // each announces a 32 MiB write and sends one byte of it
                RawNbdClient c = client();
                hostile.add(c);
                c.open("mem", false);
                c.write(writeHead(32 << 20, 1));
            }
            long expected = EXPORT_BYTES - 12L * Transmission.GROW_FROM;
            for (int i = 0; i < 500 && server.exportBytesFree("mem") > expected; i++) {
                Thread.sleep(10);
            }
            assertThat(server.exportBytesFree("mem")).as("12 announced 32 MiB writes hold one first buffer each").isEqualTo(expected);
            assertServerStillServes();
        } finally {
            for (RawNbdClient c : hostile) {
                c.close();
            }
        }
        awaitConnections(0);
        assertThat(server.exportBytesFree("mem")).as("everything is given back when they leave").isEqualTo(EXPORT_BYTES);
    }

    @Test
    void shouldFailAWriteWithEnomemWhenNoBufferCanBeHadAndGoOn() throws Exception {
        start(64, 0);
        server.usePools(() -> new BufferPool(64L << 20) {
            @Override
            ByteBuffer allocate(int capacity) {
                if (capacity >= 256 << 10) {
                    throw new OutOfMemoryError("Cannot reserve " + capacity + " bytes of direct buffer memory");
                }
                return super.allocate(capacity);
            }
        });
        try (RawNbdClient c = client()) {
            c.open("mem", false);
            c.request(RawNbdClient.CMD_WRITE, 0, 7, 0, 512 << 10, new byte[512 << 10]);
            RawNbdClient.Reply r = c.reply(0);
            assertThat(r.cookie()).isEqualTo(7);
            assertThat(r.error()).as("ENOMEM").isEqualTo(12);
            byte[] data = "after ENOMEM".getBytes();
            assertThat(c.write(8192, data)).as("the connection is in step and serves on").isZero();
            assertThat(c.read(8192, data.length)).isEqualTo(data);
        }
        awaitConnections(0);
        assertThat(server.exportBytesFree("mem")).isEqualTo(EXPORT_BYTES);
    }

    @Test
    void shouldRefuseTheThirdConnectionOfAUidLimitedToTwo() throws Exception {
        start(2, 0);
        try (RawNbdClient a = client(); RawNbdClient b = client()) {
            a.open("mem", false);
            b.open("mem", false);
            try (RawNbdClient c = client()) {
                assertThat(c.closedByServer()).isTrue();
            }
            assertLogged("limit per uid");
        }
        awaitConnections(0);
        assertServerStillServes();
    }

    @Test
    void shouldCloseAnIdleSession() throws Exception {
        start(64, 100);
        try (RawNbdClient c = client()) {
            c.open("mem", false);
            assertThat(c.write(0, new byte[] {1})).isZero();
            assertThat(c.closedByServer()).as("closed once idle").isTrue();
        }
        assertLogged("idle for 100 ms");
    }

    private void awaitConnections(int n) throws InterruptedException {
        for (int i = 0; i < 1000 && server.connectionCount() != n; i++) {
            Thread.sleep(10);
        }
        assertThat(server.connectionCount()).isEqualTo(n);
    }
}

package dev.jdm.host.export.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.host.export.ExportAccess;
import dev.jdm.host.export.ExportRegistry;
import dev.jdm.host.export.MemoryExportableDevice;
import dev.jdm.host.export.nbd.tls.TlsSettings;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.task.TaskRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/** A running NBD server on a temporary Unix socket with a 1 MiB export {@code mem} and a read-only {@code ro}. */
abstract class NbdServerFixture {
    static final long SIZE = 1 << 20;
    Path dir;
    ExportRegistry exports;
    TaskRegistry tasks;
    LogRing log;
    NbdServer server;
    MemoryExportableDevice mem;
    MemoryExportableDevice ro;

    void start(ExportAccess access, Duration handshakeTimeout) throws Exception {
        start(access, handshakeTimeout, TlsSettings.OFF);
    }

    void start(ExportAccess access, Duration handshakeTimeout, TlsSettings tls) throws Exception {
        start(access, handshakeTimeout, tls, NbdLimits.DEFAULTS);
    }

    void start(ExportAccess access, Duration handshakeTimeout, TlsSettings tls, NbdLimits limits) throws Exception {
        dir = Files.createTempDirectory("nbd-test");
        exports = new ExportRegistry();
        tasks = new TaskRegistry();
        log = new LogRing(1024, null, () -> 0);
        mem = new MemoryExportableDevice("mem", SIZE, false);
        ro = new MemoryExportableDevice("rodev", SIZE, false);
        exports.add("mem", mem, false);
        exports.add("ro", ro, true);
        server = new NbdServer(NbdConfig.of(dir.resolve("nbd.sock"), new InetSocketAddress("127.0.0.1", 0))
                .withHandshakeTimeout(handshakeTimeout).withTls(tls, false).withLimits(limits), exports, tasks, access, log);
        server.start();
    }

    void start() throws Exception {
        start(ExportAccess.ALLOW_ALL, Duration.ofSeconds(10));
    }

    RawNbdClient client() throws Exception {
        return RawNbdClient.connect(dir.resolve("nbd.sock"));
    }

    /** A fresh connection still negotiates, writes and reads back: the server is unharmed. */
    void assertServerStillServes() throws Exception {
        try (RawNbdClient c = client()) {
            c.open("mem", false);
            byte[] data = "still alive".getBytes();
            assertThat(c.write(4096, data)).isZero();
            assertThat(c.read(4096, data.length)).isEqualTo(data);
        }
    }

    /** The server logs a refusal after it closes the connection, so the client may see the close first. */
    void assertLogged(String text) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (log.since(1).stream().noneMatch(r -> r.message().contains(text)) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(log.since(1)).anyMatch(r -> r.message().contains(text));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (mem != null) {
            mem.close();
            ro.close();
        }
    }
}

package dev.jdm.host.export.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jdm.host.HostException;
import dev.jdm.host.export.ExportAccess;
import dev.jdm.host.export.nbd.tls.ClientIdentity;
import dev.jdm.host.export.nbd.tls.TestCertificates;
import dev.jdm.host.export.nbd.tls.TlsMode;
import dev.jdm.host.export.nbd.tls.TlsSettings;
import dev.jdm.host.task.Credentials;
import dev.jdm.host.task.Task;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * NBD_OPT_STARTTLS against the JDK's own TLS client (SSLSocket) on loopback, with certificates
 * made by certtool: the three modes, client certificates turned into credentials, and each kind
 * of bad input ending only its own connection.
 */
class NbdTlsTest extends NbdServerFixture {
    static TestCertificates ca;
    static TestCertificates otherCa;
    static Path backup;

    /** What export_connect saw: the task and where it came from. */
    record Seen(Credentials credentials, ExportAccess.Peer peer) {}

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    final ExportAccess recording = new ExportAccess() {
        @Override
        public boolean exportConnect(Task task, Peer peer, String export, boolean readOnly) {
            seen.add(new Seen(task.credentials(), peer));
            return true;
        }

        @Override
        public boolean blkIo(Task task, String export, Op op, long offset, long length) {
            return true;
        }
    };

    @BeforeAll
    static void certificates() throws Exception {
        assumeTrue(TestCertificates.available(), "certtool is not installed (Debian package gnutls-bin); skipping the TLS tests");
        Path root = Files.createTempDirectory("nbd-tls-test");
        ca = TestCertificates.create(root.resolve("ca"), "ecdsa");
        otherCa = TestCertificates.create(root.resolve("other"), "rsa");
        backup = ca.client("backup01");
    }

    /** The handshake deadline the deadline test waits for; the others get one a loaded machine cannot miss. */
    static final Duration SHORT_DEADLINE = Duration.ofMillis(1500);

    void startTls(TlsMode mode, boolean verify) throws Exception {
        startTls(mode, verify, Duration.ofSeconds(20));
    }

    void startTls(TlsMode mode, boolean verify, Duration handshakeDeadline) throws Exception {
        start(recording, handshakeDeadline, new TlsSettings(mode, ca.serverDir(), verify,
                List.of(ClientIdentity.of("CN=backup01", 34, 34, List.of(6)))));
    }

    RawNbdClient tcp() throws Exception {
        return RawNbdClient.connect(server.tcpAddress());
    }

    @Test
    void shouldRefuseEveryOptionButStartTlsAndAbortInClearTextWhenRequired() throws Exception {
        startTls(TlsMode.REQUIRE, true);
        try (RawNbdClient c = tcp().greet()) {
            for (int option : new int[] {RawNbdClient.OPT_LIST, RawNbdClient.OPT_STRUCTURED, RawNbdClient.OPT_INFO}) {
                c.option(option, option == RawNbdClient.OPT_INFO ? RawNbdClient.goData("mem") : new byte[0]);
                RawNbdClient.OptReply r = c.optReply();
                assertThat(r.type()).as("option %d", option).isEqualTo(RawNbdClient.ERR_TLS_REQD);
                assertThat(r.text()).contains("STARTTLS");
            }
            c.option(RawNbdClient.OPT_ABORT, new byte[0]);
            assertThat(c.optReply().type()).isEqualTo(RawNbdClient.REP_ACK);
        }
        assertThat(seen).as("no export_connect in clear text").isEmpty();
        assertLogged("refused in clear text: TLS is required");
    }

    @Test
    void shouldHangUpOnExportNameInClearTextWhenRequired() throws Exception {
        startTls(TlsMode.REQUIRE, true);
        try (RawNbdClient c = tcp().greet()) {
            c.option(RawNbdClient.OPT_EXPORT_NAME, "mem".getBytes());
            assertThat(c.closedByServer()).isTrue();
        }
        assertLogged("NBD_OPT_EXPORT_NAME in clear text");
        assertThat(seen).isEmpty();
    }

    @Test
    void shouldServeOverTlsAsTheCertificatesIdentity() throws Exception {
        startTls(TlsMode.REQUIRE, true);
        try (RawNbdClient c = tcp().greet()) {
            assertThat(c.startTls(TestCertificates.clientContext(backup)).type()).isEqualTo(RawNbdClient.REP_ACK);
            assertThat(c.go("mem")[0]).isEqualTo(SIZE);
            byte[] data = new byte[300_000]; // larger than a TLS record, and than one socket read
            new java.util.Random(7).nextBytes(data);
            assertThat(c.write(8192, data)).isZero();
            assertThat(c.read(8192, data.length)).isEqualTo(data);
        }
        assertThat(mem.allocatedBytes()).as("the write reached the device").isPositive();
        assertThat(seen).hasSize(1);
        assertThat(seen.getFirst().credentials()).isEqualTo(new Credentials(34, 34, -1, List.of(6)));
        assertThat(seen.getFirst().peer().transport()).isEqualTo("tls");
        assertThat(seen.getFirst().peer().credentialsKnown()).isTrue();
        assertLogged("client CN=backup01 as uid 34 gid 34 groups [6]");
    }

    @Test
    void shouldKeepTheLoopbackUidForACertificateWithNoIdentity() throws Exception {
        startTls(TlsMode.REQUIRE, true);
        Path stranger = ca.client("stranger");
        try (RawNbdClient c = tcp().greet()) {
            c.startTls(TestCertificates.clientContext(stranger));
            c.go("mem");
        }
        assertThat(seen.getFirst().credentials().uid()).as("the kernel's uid for this loopback peer")
                .isEqualTo(dev.jdm.host.sys.Libc.getuid());
        assertLogged("client CN=stranger (no [[nbd.tls.client]] entry");
    }

    @Test
    void shouldServeClearTextToo_WhenTlsIsOnlyOffered() throws Exception {
        startTls(TlsMode.ON, false);
        try (RawNbdClient c = tcp().greet()) {
            assertThat(c.go("mem")[0]).isEqualTo(SIZE);
            assertThat(c.write(4096, new byte[] {1, 2, 3})).isZero();
        }
        assertThat(seen.getFirst().peer().transport()).isEqualTo("tcp");
    }

    @Test
    void shouldForgetOptionsNegotiatedBeforeStartTls() throws Exception {
        startTls(TlsMode.ON, false);
        try (RawNbdClient c = tcp().greet()) {
            c.option(RawNbdClient.OPT_STRUCTURED, new byte[0]);
            assertThat(c.optReply().type()).isEqualTo(RawNbdClient.REP_ACK);
            c.startTls(TestCertificates.clientContext(backup));
            // "the server MUST NOT preserve any negotiation state": no DF flag, simple replies
            long flags = c.go("mem")[1];
            assertThat(flags & (1 << 7)).as("NBD_FLAG_SEND_DF").isZero();
            assertThat(c.read(0, 512)).as("a simple reply").hasSize(512);
        }
    }

    @Test
    void shouldRefuseASecondStartTlsAndOneWithData() throws Exception {
        startTls(TlsMode.REQUIRE, false);
        try (RawNbdClient c = tcp().greet()) {
            c.option(RawNbdClient.OPT_STARTTLS, new byte[] {1});
            assertThat(c.optReply().type()).isEqualTo(RawNbdClient.ERR_INVALID);
            c.startTls(TestCertificates.clientContext(backup));
            c.option(RawNbdClient.OPT_STARTTLS, new byte[0]);
            assertThat(c.optReply().type()).isEqualTo(RawNbdClient.ERR_INVALID);
        }
    }

    @Test
    void shouldNotOfferTlsOnTheUnixSocket() throws Exception {
        startTls(TlsMode.REQUIRE, true);
        try (RawNbdClient c = client().greet()) {
            c.option(RawNbdClient.OPT_STARTTLS, new byte[0]);
            RawNbdClient.OptReply r = c.optReply();
            assertThat(r.type()).isEqualTo(RawNbdClient.ERR_POLICY);
            assertThat(r.text()).contains("Unix socket");
            assertThat(c.go("mem")[0]).as("the Unix socket's peers are known by the kernel").isEqualTo(SIZE);
        }
    }

    @Test
    void shouldRefuseStartTlsWhenOff() throws Exception {
        start();
        try (RawNbdClient c = RawNbdClient.connect(server.tcpAddress()).greet()) {
            c.option(RawNbdClient.OPT_STARTTLS, new byte[0]);
            assertThat(c.optReply().type()).isEqualTo(RawNbdClient.ERR_POLICY);
        }
    }

    @Test
    void shouldEndTheHandshakeOfACertificateFromAnotherCa() throws Exception {
        startTls(TlsMode.REQUIRE, true);
        SSLContext foreign = TestCertificates.clientContext(ca.clientSignedBy(otherCa, "backup01"));
        assertBadCertificateRefused(foreign, "unable to find valid certification path");
    }

    @Test
    void shouldEndTheHandshakeOfAnExpiredCertificate() throws Exception {
        startTls(TlsMode.REQUIRE, true);
        assertBadCertificateRefused(TestCertificates.clientContext(ca.expiredClient("backup01")), "validity check failed");
    }

    @Test
    void shouldEndTheHandshakeOfAClientWithoutCertificateWhenVerifying() throws Exception {
        startTls(TlsMode.REQUIRE, true);
        SSLContext none = SSLContext.getInstance("TLSv1.3");
        none.init(null, new javax.net.ssl.TrustManager[] {trustAll()}, null);
        assertBadCertificateRefused(none, "Empty client certificate chain");
    }

    private void assertBadCertificateRefused(SSLContext client, String reason) throws Exception {
        try (RawNbdClient c = tcp().greet()) {
            // TLS 1.3: the client's certificate is judged after the client finished, so the
            // refusal may surface at the handshake or at the first read
            assertThatThrownBy(() -> {
                c.startTls(client);
                c.option(RawNbdClient.OPT_LIST, new byte[0]);
                c.optReply();
            }).isInstanceOf(java.io.IOException.class);
        }
        assertLogged("TLS handshake failed");
        assertLogged(reason);
        assertThat(seen).isEmpty();
        assertOnlyThatConnectionEnded();
    }

    @Test
    void shouldCloseOnGarbageAfterStartTls() throws Exception {
        try (RawNbdClient c = acknowledgedStartTls()) {
            c.write(ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: nbd\r\n\r\n".repeat(20).getBytes()));
            assertThat(c.closedByServer()).isTrue();
        }
        assertLogged("TLS handshake failed");
        assertOnlyThatConnectionEnded();
    }

    @Test
    void shouldCloseAHandshakeThatNeverFinishes() throws Exception {
        try (RawNbdClient c = acknowledgedStartTls(SHORT_DEADLINE)) {
            long t0 = System.nanoTime();
            assertThat(c.closedByServer()).as("closed by the handshake deadline").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        }
        assertLogged("handshake not done after 1500 ms");
        assertOnlyThatConnectionEnded();
    }

    @Test
    void shouldListenBeyondLoopbackOnlyWithTlsRequiredOrExplicitly() throws Exception {
        NbdConfig clear = NbdConfig.of(null, new InetSocketAddress("0.0.0.0", 0));
        try (NbdServer s = bare(clear, log())) {
            assertThatThrownBy(s::start).isInstanceOf(HostException.class).hasMessageContaining("refusing to serve clear text on 0.0.0.0")
                    .hasMessageContaining("--nbd-tls require");
            assertThat(s.tcpAddress()).isNull();
        }
        var l = log();
        try (NbdServer s = bare(clear.withTls(TlsSettings.OFF, true), l)) {
            s.start();
            assertThat(l.since(1)).anyMatch(r -> r.message().contains("serving clear text beyond loopback"));
        }
        try (NbdServer s = bare(clear.withTls(new TlsSettings(TlsMode.REQUIRE, ca.serverDir(), true, List.of()), false), log())) {
            s.start();
            assertThat(s.tcpAddress().getPort()).isPositive();
        }
    }

    @Test
    void shouldNameTheMissingFileOfABadCertificateDirectory() throws Exception {
        Path empty = Files.createTempDirectory("nbd-tls-empty");
        try (NbdServer s = bare(NbdConfig.of(null, new InetSocketAddress("127.0.0.1", 0))
                .withTls(new TlsSettings(TlsMode.REQUIRE, empty, true, List.of()), false), log())) {
            assertThatThrownBy(s::start).hasMessageContaining(empty.resolve("server-cert.pem").toString());
        }
    }

    /** A server with no exports, for what happens before any client. */
    private static NbdServer bare(NbdConfig config, dev.jdm.host.log.LogRing log) {
        return new NbdServer(config, new dev.jdm.host.export.ExportRegistry(), new dev.jdm.host.task.TaskRegistry(), ExportAccess.ALLOW_ALL, log);
    }

    private static dev.jdm.host.log.LogRing log() {
        return new dev.jdm.host.log.LogRing(64, null, () -> 0);
    }

    /** A clear-text client whose STARTTLS was acknowledged; the TLS handshake is the test's to do (or not). */
    private RawNbdClient acknowledgedStartTls() throws Exception {
        return acknowledgedStartTls(Duration.ofSeconds(20));
    }

    private RawNbdClient acknowledgedStartTls(Duration handshakeDeadline) throws Exception {
        startTls(TlsMode.REQUIRE, true, handshakeDeadline);
        RawNbdClient c = tcp().greet();
        c.option(RawNbdClient.OPT_STARTTLS, new byte[0]);
        assertThat(c.optReply().type()).isEqualTo(RawNbdClient.REP_ACK);
        return c;
    }

    /** The bad connection is gone with its task, and a good one is served as before. */
    private void assertOnlyThatConnectionEnded() throws Exception {
        awaitNoConnections();
        assertTlsStillServes();
    }

    private void awaitNoConnections() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while ((server.connectionCount() != 0 || !tasks.live().isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(server.connectionCount()).isZero();
        assertThat(tasks.live()).as("every task exited, the replaced ones too").isEmpty();
    }

    /** A fresh TLS connection still negotiates, writes and reads back. */
    private void assertTlsStillServes() throws Exception {
        try (RawNbdClient c = tcp().greet()) {
            c.startTls(TestCertificates.clientContext(backup));
            c.go("mem");
            assertThat(c.write(4096, "still alive".getBytes())).isZero();
            assertThat(c.read(4096, 11)).isEqualTo("still alive".getBytes());
        }
    }

    private static javax.net.ssl.X509TrustManager trustAll() {
        return new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        };
    }
}

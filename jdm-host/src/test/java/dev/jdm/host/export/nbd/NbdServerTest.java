package dev.jdm.host.export.nbd;

import static dev.jdm.host.export.nbd.RawNbdClient.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.host.HostException;
import dev.jdm.host.export.ExportAccess;
import dev.jdm.host.task.Task;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The protocol as a client sees it, over a real Unix socket. */
@org.junit.jupiter.api.Timeout(60)
class NbdServerTest extends NbdServerFixture {

    @Test
    void shouldListExportsDescribeThemAndRefuseUnknownOptions() throws Exception {
        start();
        try (RawNbdClient c = client().greet()) {
            c.option(OPT_LIST, new byte[0]);
            List<OptReply> list = c.optReplies();
            assertThat(list).extracting(OptReply::type).containsExactly(REP_SERVER, REP_SERVER, REP_ACK);
            assertThat(new String(list.get(0).data(), 4, list.get(0).data().length - 4)).isEqualTo("mem");
            c.option(OPT_INFO, goData("ro", 1, 3));
            List<OptReply> info = c.optReplies();
            ByteBuffer export = ByteBuffer.wrap(info.get(0).data());
            assertThat(export.getShort(0)).isZero();
            assertThat(export.getLong(2)).isEqualTo(SIZE);
            assertThat(export.getShort(10) & T_READ_ONLY).isEqualTo(T_READ_ONLY);
            assertThat(info).extracting(OptReply::type).containsExactly(REP_INFO, REP_INFO, REP_INFO, REP_ACK);
            c.option(42, new byte[] {1, 2, 3});
            OptReply unsup = c.optReply();
            assertThat(unsup.type()).isEqualTo(ERR_UNSUP);
            assertThat(unsup.text()).contains("option 42");
            c.option(OPT_GO, goData("nope"));
            assertThat(c.optReply().type()).isEqualTo(ERR_UNKNOWN);
            c.option(OPT_LIST_META, metaData("mem"));
            List<OptReply> meta = c.optReplies();
            assertThat(new String(meta.get(0).data(), 4, meta.get(0).data().length - 4)).isEqualTo("base:allocation");
            long[] go = c.go("mem");
            assertThat(go[0]).isEqualTo(SIZE);
            assertThat(go[1] & T_MULTI_CONN).isEqualTo(T_MULTI_CONN);
        }
    }

    @Test
    void shouldServeOldStyleExportNameWithSimpleReplies() throws Exception {
        start();
        try (RawNbdClient c = client().greet()) {
            c.option(OPT_EXPORT_NAME, "mem".getBytes());
            ByteBuffer r = c.read(10); // no zeroes: the client set NO_ZEROES
            assertThat(r.getLong(0)).isEqualTo(SIZE);
            byte[] data = new byte[8192];
            new Random(1).nextBytes(data);
            assertThat(c.write(1000, data)).isZero();
            assertThat(c.read(1000, data.length)).isEqualTo(data);
            c.request(CMD_FLUSH, 0, 3, 0, 0, null);
            assertThat(c.reply(0).error()).isZero();
            c.request(CMD_DISC, 0, 4, 0, 0, null);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void shouldReportAllocationTruthfullyThroughStructuredReplies() throws Exception {
        start();
        try (RawNbdClient c = client()) {
            c.open("mem", false);
            assertThat(c.write(8192, new byte[4096])).isZero();
            assertThat(c.status(0, 16384, 0)).extracting(e -> e[0] + "/" + e[1]).containsExactly("8192/3", "4096/0", "4096/3");
            assertThat(c.status(0, 16384, F_REQ_ONE)).hasSize(1);
            c.request(CMD_ZEROES, F_FAST_ZERO, 5, 8192, 4096, null);
            assertThat(c.reply(0).error()).isZero();
            assertThat(c.status(0, 16384, 0)).extracting(e -> e[0] + "/" + e[1]).containsExactly("16384/3");
            c.request(CMD_ZEROES, F_NO_HOLE, 6, 0, 4096, null);
            assertThat(c.reply(0).error()).isZero();
            assertThat(c.status(0, 8192, 0)).extracting(e -> e[0] + "/" + e[1]).containsExactly("4096/0", "4096/3");
            c.request(CMD_TRIM, F_FUA, 7, 0, 4096, null);
            assertThat(c.reply(0).error()).isZero();
            c.request(CMD_CACHE, 0, 8, 0, SIZE, null);
            assertThat(c.reply(0).error()).isZero();
            c.request(CMD_READ, F_DF, 9, 0, 4096, null);
            Reply read = c.reply(0);
            assertThat(read.chunkType()).isEqualTo(1);
            assertThat(read.done()).isTrue();
            assertThat(read.payload()).hasSize(8 + 4096);
        }
    }

    @Test
    void shouldSpeakExtendedHeaders() throws Exception {
        start();
        try (RawNbdClient c = client()) {
            c.open("mem", true);
            byte[] data = new byte[5000];
            new Random(2).nextBytes(data);
            c.request(CMD_WRITE, F_FUA, 11, 12345, data.length, data);
            Reply w = c.reply(0);
            assertThat(w.chunkType()).isZero(); // NBD_REPLY_TYPE_NONE: no simple replies with extended headers
            assertThat(w.offset()).isEqualTo(12345);
            assertThat(w.cookie()).isEqualTo(11);
            assertThat(c.read(12345, data.length)).isEqualTo(data);
            List<long[]> st = c.status(0, SIZE, 0);
            assertThat(st).extracting(e -> e[0] + "/" + e[1]).containsExactly("12288/3", "8192/0", (SIZE - 20480) + "/3");
            c.request(CMD_TRIM, 0, 12, 0, SIZE, null); // a 64-bit length field
            assertThat(c.reply(0).error()).isZero();
        }
    }

    @Test
    void shouldRefuseWritesToAReadOnlyExportAndKeepServing() throws Exception {
        start();
        try (RawNbdClient c = client()) {
            long[] go = c.open("ro", false);
            assertThat(go[1] & T_READ_ONLY).isEqualTo(T_READ_ONLY);
            assertThat(c.write(0, new byte[512])).isEqualTo(EPERM);
            c.request(CMD_ZEROES, 0, 2, 0, 512, null);
            assertThat(c.reply(0).error()).isEqualTo(EPERM);
            assertThat(c.read(0, 512)).isEqualTo(new byte[512]);
        }
        assertThat(ro.allocatedBytes()).isZero();
    }

    @Test
    void shouldFailClosedWhenTheAccessHookThrows() throws Exception {
        ExportAccess broken = new ExportAccess() {
            @Override
            public boolean exportConnect(Task task, Peer peer, String export, boolean readOnly) {
                if (export.equals("ro")) {
                    throw new IllegalStateException("policy engine down");
                }
                return peer.transport().equals("unix") && peer.credentialsKnown() && task.credentials().pid() > 0;
            }

            @Override
            public boolean blkIo(Task task, String export, Op op, long offset, long length) {
                if (op == Op.WRITE) {
                    throw new IllegalStateException("policy engine down");
                }
                return true;
            }
        };
        start(broken, Duration.ofSeconds(10));
        try (RawNbdClient c = client().greet()) {
            c.option(OPT_LIST, new byte[0]);
            assertThat(c.optReplies()).extracting(OptReply::type).containsExactly(REP_SERVER, REP_ACK); // ro is hidden
            c.option(OPT_GO, goData("ro"));
            assertThat(c.optReply().type()).isEqualTo(ERR_POLICY);
            c.go("mem");
            assertThat(c.write(0, new byte[512])).isEqualTo(EPERM);
            assertThat(c.read(0, 512)).hasSize(512);
        }
        assertThat(mem.allocatedBytes()).isZero();
    }

    @Test
    void shouldKeepManyRequestsInFlightAndAnswerEachOnce() throws Exception {
        start();
        try (RawNbdClient c = client()) {
            c.open("mem", false);
            int n = 500;
            CompletableFuture<Set<Long>> cookies = CompletableFuture.supplyAsync(() -> {
                Set<Long> seen = new HashSet<>();
                try {
                    for (int i = 0; i < n; i++) {
                        Reply r = c.reply(0);
                        assertThat(r.error()).isZero();
                        assertThat(seen.add(r.cookie())).as("cookie %d answered twice", r.cookie()).isTrue();
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
                return seen;
            });
            byte[] block = new byte[4096];
            for (int i = 0; i < n; i++) {
                block[0] = (byte) i;
                c.request(CMD_WRITE, 0, 1000 + i, (long) (i % 256) * 4096, block.length, block);
            }
            assertThat(cookies.get(30, TimeUnit.SECONDS)).hasSize(n);
            assertThat(c.read(243L * 4096, 1)[0]).isEqualTo((byte) 499); // 499 % 256 = 243, the last write there
        }
    }

    @Test
    void shouldRefuseRemovingABusyExportUnlessForced() throws Exception {
        start();
        try (RawNbdClient c = client()) {
            c.open("mem", false);
            assertThat(c.write(0, new byte[1])).isZero();
            assertThatThrownBy(() -> exports.remove("mem", false)).isInstanceOf(HostException.class).hasMessageContaining("1 connection");
            exports.remove("mem", true);
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawNbdClient c = client().greet()) {
            c.option(OPT_GO, goData("mem"));
            assertThat(c.optReply().type()).isEqualTo(ERR_UNKNOWN);
        }
    }

    @Test
    void shouldServeTcpOnLoopbackOnly() throws Exception {
        start();
        assertThat(server.tcpAddress().getAddress().isLoopbackAddress()).isTrue();
        try (var ch = java.nio.channels.SocketChannel.open(server.tcpAddress())) {
            ByteBuffer g = ByteBuffer.allocate(18);
            while (g.hasRemaining()) {
                assertThat(ch.read(g)).isNotNegative();
            }
            assertThat(g.getLong(0)).isEqualTo(NBDMAGIC);
        }
    }
}

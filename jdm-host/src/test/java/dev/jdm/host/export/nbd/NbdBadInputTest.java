package dev.jdm.host.export.nbd;

import static dev.jdm.host.export.nbd.RawNbdClient.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.host.export.ExportAccess;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Malformed and hostile input: each ends at most its own connection, never the server. */
@org.junit.jupiter.api.Timeout(60)
class NbdBadInputTest extends NbdServerFixture {

    @Test
    void shouldCloseOnBadOptionMagic() throws Exception {
        start();
        try (RawNbdClient c = client().greet()) {
            c.write(ByteBuffer.allocate(16).putLong(0x1122334455667788L).putInt(OPT_GO).putInt(0).flip());
            assertThat(c.closedByServer()).isTrue();
        }
        assertLogged("is not IHAVEOPT");
        assertServerStillServes();
    }

    @Test
    void shouldCloseOnUnknownClientFlagsAndTruncatedHandshakes() throws Exception {
        start();
        try (RawNbdClient c = client()) {
            c.read(18);
            c.write(ByteBuffer.allocate(4).putInt(0, 0x80).flip());
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawNbdClient c = client()) {
            c.read(18);
            c.write(ByteBuffer.wrap(new byte[] {0, 0})); // half the client flags, then gone
        }
        try (RawNbdClient c = client().greet()) {
            c.write(ByteBuffer.allocate(10).putLong(IHAVEOPT).putShort((short) 0).flip()); // half an option header
        }
        assertServerStillServes();
    }

    @Test
    void shouldAnswerMalformedOptionsAndGoOn() throws Exception {
        start();
        try (RawNbdClient c = client().greet()) {
            c.option(OPT_GO, ByteBuffer.allocate(6).putInt(1000).putShort((short) 0).array()); // name longer than the option
            OptReply r = c.optReply();
            assertThat(r.type()).isEqualTo(ERR_INVALID);
            assertThat(r.text()).contains("exceeds the option");
            c.option(OPT_STRUCTURED, new byte[] {1});
            assertThat(c.optReply().type()).isEqualTo(ERR_INVALID);
            c.option(OPT_SET_META, metaData("mem", "base:allocation")); // before structured replies
            assertThat(c.optReply().type()).isEqualTo(ERR_INVALID);
            c.option(OPT_LIST, new byte[0]);
            assertThat(c.optReplies()).isNotEmpty();
        }
    }

    @Test
    void shouldCloseAfterTooManyOptionsOrAnOversizedOne() throws Exception {
        start();
        try (RawNbdClient c = client().greet()) {
            for (int i = 0; i < Handshake.MAX_OPTIONS; i++) {
                c.option(99, new byte[0]);
                assertThat(c.optReply().type()).isEqualTo(ERR_UNSUP);
            }
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawNbdClient c = client().greet()) {
            c.write(ByteBuffer.allocate(16).putLong(IHAVEOPT).putInt(OPT_GO).putInt(Integer.MAX_VALUE).flip());
            assertThat(c.closedByServer()).isTrue();
        }
        assertServerStillServes();
    }

    @Test
    void shouldCloseASilentHandshakeAfterTheTimeout() throws Exception {
        start(ExportAccess.ALLOW_ALL, Duration.ofMillis(300));
        try (RawNbdClient c = client()) {
            c.read(18); // greeting, then say nothing
            assertThat(c.closedByServer()).isTrue();
        }
        assertLogged("handshake not done");
        assertServerStillServes();
    }

    @Test
    void shouldRefuseOversizedRequests() throws Exception {
        start();
        try (RawNbdClient c = client()) {
            c.open("mem", false);
            c.request(CMD_READ, 0, 1, 0, 64 << 20, null);
            assertThat(c.reply(0).error()).isEqualTo(EINVAL);
            c.request(CMD_WRITE, 0, 2, 0, (32 << 20) + 1, new byte[(32 << 20) + 1]); // skipped, then refused
            Reply r = c.reply(0);
            assertThat(r.cookie()).isEqualTo(2);
            assertThat(r.error()).isEqualTo(EINVAL);
            assertThat(c.read(0, 16)).hasSize(16); // still in step
            c.request(CMD_WRITE, 0, 3, 0, 0xF000_0000L, null); // too large even to skip: the connection ends
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(mem.allocatedBytes()).isZero();
        assertServerStillServes();
    }

    @Test
    void shouldRefuseOutOfRangeRequests() throws Exception {
        start();
        try (RawNbdClient c = client()) {
            c.open("mem", false);
            c.request(CMD_READ, 0, 1, SIZE, 1, null);
            assertThat(c.reply(0).error()).isEqualTo(EINVAL);
            c.request(CMD_READ, 0, 2, -1L, 512, null); // offset 2^64-1: no overflow into range
            assertThat(c.reply(0).error()).isEqualTo(EINVAL);
            c.request(CMD_WRITE, 0, 3, SIZE - 10, 20, new byte[20]);
            assertThat(c.reply(0).error()).isEqualTo(ENOSPC);
            c.request(CMD_STATUS, 0, 4, SIZE - 1, 2, null);
            assertThat(c.reply(0).error()).isEqualTo(EINVAL);
            c.request(CMD_FLUSH, 0, 5, 1, 0, null);
            assertThat(c.reply(0).error()).isEqualTo(EINVAL);
        }
        assertServerStillServes();
    }

    @Test
    void shouldRefuseUnknownCommandsAndFlags() throws Exception {
        start();
        try (RawNbdClient c = client()) {
            c.open("mem", false);
            c.request(99, 0, 1, 0, 0, null);
            Reply r = c.reply(0);
            assertThat(r.error()).isEqualTo(EINVAL);
            assertThat(new String(r.payload(), 6, r.payload().length - 6)).contains("unknown command 99");
            c.request(CMD_READ, 0x4000, 2, 0, 512, null);
            assertThat(c.reply(0).error()).isEqualTo(EINVAL);
            c.request(CMD_READ, F_REQ_ONE, 3, 0, 512, null);
            assertThat(c.reply(0).error()).isEqualTo(EINVAL);
        }
        try (RawNbdClient c = client().greet()) {
            c.go("mem"); // no meta context selected
            c.request(CMD_STATUS, 0, 1, 0, 512, null);
            assertThat(c.reply(0).error()).isEqualTo(EINVAL);
        }
        assertServerStillServes();
    }

    @Test
    void shouldCloseOnABadRequestMagic() throws Exception {
        start();
        try (RawNbdClient c = client()) {
            c.open("mem", false);
            c.write(ByteBuffer.allocate(28).putInt(0, 0xdeadbeef));
            assertThat(c.closedByServer()).isTrue();
        }
        assertServerStillServes();
    }

    @Test
    void shouldSurviveAClientVanishingMidWrite() throws Exception {
        start();
        try (RawNbdClient c = client()) {
            c.open("mem", false);
            ByteBuffer b = ByteBuffer.allocate(28 + 1000).putInt(0x25609513).putShort((short) 0).putShort((short) CMD_WRITE)
                    .putLong(1).putLong(0).putInt(1 << 20);
            c.write(b.position(b.capacity()).flip());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((server.connectionCount() != 0 || !tasks.live().isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(server.connectionCount()).isZero();
        assertThat(tasks.live()).isEmpty();
        assertThat(exports.connections("mem")).isZero();
        assertServerStillServes();
    }
}

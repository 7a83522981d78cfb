package dev.jdm.isolation.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.isolation.shm.SharedRegion;
import dev.jdm.isolation.sys.Sys;
import dev.jdm.isolation.sys.SysException;
import java.io.EOFException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ControlChannelTest {
    private final UnixSocket[] pair = pair();
    private final ControlChannel a = new ControlChannel(pair[0], 64, 2);
    private final ControlChannel b = new ControlChannel(pair[1], 64, 2);

    private static UnixSocket[] pair() {
        try {
            return UnixSocket.pair(UnixSocket.SOCK_SEQPACKET);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @AfterEach
    void close() throws Exception {
        a.close();
        b.close();
    }

    private static byte[] raw(int magic, int type, int length, int actual) {
        return ByteBuffer.allocate(12 + actual).order(ByteOrder.LITTLE_ENDIAN).putInt(magic).putInt(type).putInt(length).array();
    }

    @Test
    void shouldPassASharedRegionThatBothSidesSee() throws Exception {
        try (SharedRegion region = SharedRegion.create("test", 8192)) {
            region.segment().set(ValueLayout.JAVA_LONG, 0, 0xC0FFEEL);
            a.send(7, new byte[] {1, 2, 3}, region.fd());
            Frame f = b.receive();
            assertThat(f.type()).isEqualTo(7);
            assertThat(f.payload()).containsExactly(1, 2, 3);
            assertThat(f.fds()).hasSize(1).doesNotContain(region.fd());
            try (SharedRegion mapped = SharedRegion.map(f.fds()[0], 8192)) {
                assertThat(mapped.sealed()).isTrue();
                assertThat(mapped.segment().get(ValueLayout.JAVA_LONG, 0)).isEqualTo(0xC0FFEEL);
                mapped.segment().set(ValueLayout.JAVA_LONG, 8, 42L);
            }
            assertThat(region.segment().get(ValueLayout.JAVA_LONG, 8)).isEqualTo(42L);
        }
    }

    @Test
    void shouldRefuseAFrameLongerThanTheLimit() throws Exception {
        pair[0].send(raw(ControlChannel.MAGIC, 1, 65, 65));
        assertThatThrownBy(b::receive).isInstanceOf(ControlChannelException.class)
                .hasMessage("control frame longer than the limit of 64 payload bytes");
        assertThatThrownBy(() -> a.send(1, new byte[65])).hasMessage("frame type 1 has 65 payload bytes, limit 64");
    }

    @Test
    void shouldRefuseABadMagicAShortFrameAndALengthThatDisagrees() throws Exception {
        pair[0].send(raw(0x12345678, 1, 0, 0));
        assertThatThrownBy(b::receive).hasMessage("control frame magic is 0x12345678, expected 0x434d444a");
        pair[0].send(new byte[5]);
        assertThatThrownBy(b::receive).hasMessage("control frame of 5 bytes is shorter than its 12-byte header");
        pair[0].send(raw(ControlChannel.MAGIC, 3, 10, 4));
        assertThatThrownBy(b::receive).hasMessage("control frame type 3 says 10 payload bytes but carries 4");
    }

    @Test
    void shouldRefuseTooManyDescriptorsAndCloseTheOnesThatCame() throws Exception {
        int e1 = (int) Sys.call("eventfd", Sys.EVENTFD, 0, 0);
        int e2 = (int) Sys.call("eventfd", Sys.EVENTFD, 0, 0);
        int e3 = (int) Sys.call("eventfd", Sys.EVENTFD, 0, 0);
        try {
            pair[0].send(raw(ControlChannel.MAGIC, 1, 0, 0), e1, e2, e3);
            assertThatThrownBy(b::receive).hasMessage("control frame carried more than 2 fds (the extra ones were discarded)");
            // The descriptors that did arrive were closed: the next numbers up are free again.
            int probe = (int) Sys.call("eventfd", Sys.EVENTFD, 0, 0);
            assertThat(probe).isLessThan(e3 + 2);
            Sys.close(probe);
        } finally {
            Sys.close(e1);
            Sys.close(e2);
            Sys.close(e3);
        }
    }

    @Test
    void shouldRefuseAFrameOfAnotherTypeThanExpected() throws Exception {
        a.send(5, new byte[0]);
        assertThatThrownBy(() -> b.expect(6)).hasMessage("expected control frame type 6, got 5");
    }

    @Test
    void shouldReportTheEndOfTheStream() throws Exception {
        a.close();
        assertThatThrownBy(b::receive).isInstanceOf(EOFException.class).hasMessage("control channel closed by the peer");
    }

    @Test
    void shouldNameTheCallAndErrnoOfAFailedSystemCall() {
        assertThatThrownBy(() -> Sys.close(100_000)).isInstanceOf(SysException.class)
                .hasMessage("close(fd 100000) failed: EBADF (Bad file descriptor)");
    }
}

package dev.jdm.host.gate;

import dev.jdm.gate.Frames;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.gate.proto.HostInfoReply;
import dev.jdm.gate.proto.InsmodCall;
import dev.jdm.gate.proto.LsmodCall;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.sysctl.Sysctl;
import dev.jdm.host.task.TaskRegistry;
import com.google.protobuf.ByteString;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gate against hostile local clients: connection limits, bounded frame memory, deadlines. */
class GateLimitsTest {
    @TempDir
    Path dir;
    private final Sysctl sysctl = new Sysctl();
    private final LogRing log = new LogRing(1024, null, () -> 0);
    private GateServer gate;
    private final List<SocketChannel> clients = new ArrayList<>();

    @BeforeEach
    void setUp() {
        GateSysctls.register(sysctl);
    }

    private void start() throws IOException {
        gate = new GateServer(dir.resolve("gate.sock"), (task, request, version, out) -> out.send(
                Response.newBuilder().setHostInfo(HostInfoReply.newBuilder().setVersion("t")).build()), new TaskRegistry(), log, sysctl);
        gate.start();
    }

    @AfterEach
    void tearDown() throws IOException {
        for (SocketChannel c : clients) {
            c.close();
        }
        if (gate != null) {
            gate.close();
        }
    }

    private SocketChannel connect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(gate.socket()));
        clients.add(ch);
        return ch;
    }

    private static Response call(SocketChannel ch, Request request) throws IOException {
        DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
        Frames.write(out, request.toByteArray());
        return Response.parseFrom(Frames.read(new DataInputStream(Channels.newInputStream(ch))));
    }

    private static Request lsmod() {
        return Request.newBuilder().setVersion(1).setId(3).setLsmod(LsmodCall.getDefaultInstance()).build();
    }

    @Test
    void shouldRefuseTheThirteenthConnectionOfOneUid() throws IOException {
        sysctl.set(GateSysctls.MAX_PER_UID, "12");
        start();
        for (int i = 0; i < 12; i++) {
            assertThat(call(connect(), lsmod()).hasError()).isFalse();
        }
        Response refused = Response.parseFrom(Frames.read(new DataInputStream(Channels.newInputStream(connect()))));
        assertThat(refused.getError().getCode()).isEqualTo("EBUSY");
        assertThat(refused.getError().getMessage()).contains("limit per uid");
        clients.removeFirst().close();
        awaitOpen(11);
        assertThat(call(connect(), lsmod()).hasError()).as("a slot freed by a closed connection is usable").isFalse();
    }

    @Test
    void shouldHoldOnlyWhatArrivedOfAnAnnouncedFrame() throws Exception {
        start();
        List<SocketChannel> hostile = new ArrayList<>();
        for (int i = 0; i < 12; i++) { // each announces an insmod of 64 MiB and sends its first bytes only
            SocketChannel ch = connect();
            byte[] head = Request.newBuilder().setVersion(1).setId(1)
                    .setInsmod(InsmodCall.newBuilder().setJar(ByteString.copyFrom(new byte[100]))).build().toByteArray();
            ch.write(ByteBuffer.allocate(4 + head.length).putInt(Frames.MAX_FRAME).put(head).flip());
            hostile.add(ch);
        }
        awaitHeld(12L * FrameReader.FIRST_CHUNK);
        assertThat(budget().held()).as("12 announced 64 MiB frames hold one first chunk each").isEqualTo(12L * FrameReader.FIRST_CHUNK);
        assertThat(call(connect(), lsmod()).hasError()).isFalse();
    }

    @Test
    void shouldRefuseALargeFrameForASmallCallAndStayInStep() throws IOException {
        start();
        SocketChannel ch = connect();
        byte[] big = Request.newBuilder().setVersion(1).setId(5).setLsmod(LsmodCall.getDefaultInstance())
                .setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder().addField(9999,
                        com.google.protobuf.UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFrom(new byte[2 << 20])).build())
                        .build()).build().toByteArray();
        Response r = call(ch, Request.parseFrom(big));
        assertThat(r.getError().getCode()).isEqualTo("EINVAL");
        assertThat(r.getError().getMessage()).contains("exceeds the " + CallSizes.SMALL);
        assertThat(call(ch, lsmod()).hasError()).as("the connection survives the refusal").isFalse();
        assertThat(budget().held()).isZero();
    }

    @Test
    void shouldRefuseAFrameBeyondTheBudgetWithEnomem() throws IOException {
        sysctl.set(GateSysctls.FRAME_MEMORY, Integer.toString(CallSizes.SMALL));
        start();
        SocketChannel ch = connect();
        Request insmod = Request.newBuilder().setVersion(1).setId(6)
                .setInsmod(InsmodCall.newBuilder().setJar(ByteString.copyFrom(new byte[3 << 20]))).build();
        Response r = call(ch, insmod);
        assertThat(r.getError().getCode()).isEqualTo("ENOMEM");
        assertThat(call(ch, lsmod()).hasError()).isFalse();
        assertThat(budget().held()).isZero();
    }

    @Test
    void shouldCloseAConnectionThatSendsNoCallBeforeTheHandshakeDeadline() throws IOException {
        sysctl.set(GateSysctls.HANDSHAKE_MS, "50");
        start();
        SocketChannel ch = connect();
        ch.write(ByteBuffer.allocate(2).put((byte) 0).put((byte) 0).flip()); // half a length, then nothing
        assertThat(ch.read(ByteBuffer.allocate(16))).as("the host hangs up").isEqualTo(-1);
        awaitOpen(0);
    }

    @Test
    void shouldCloseAnIdleConnectionAfterTheIdleDeadline() throws IOException {
        sysctl.set(GateSysctls.IDLE_MS, "50");
        start();
        SocketChannel ch = connect();
        assertThat(call(ch, lsmod()).hasError()).isFalse();
        assertThat(ch.read(ByteBuffer.allocate(16))).as("the host hangs up on an idle task").isEqualTo(-1);
    }

    @Test
    void shouldListenWithTheSystemsBacklog() throws IOException {
        int burst = Math.min(ListenBacklog.somaxconn(), 200); // beyond the JDK's default backlog of 50
        List<SocketChannel> pending = new ArrayList<>();
        int queued = 0;
        try (var server = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ListenBacklog.bind(server, UnixDomainSocketAddress.of(dir.resolve("burst.sock")));
            for (int i = 0; i < burst; i++) { // nobody accepts: every connection waits in the listen queue
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                pending.add(ch);
                ch.configureBlocking(false);
                // a Unix connect completes at once while the queue has room; on overflow the JDK reports EAGAIN as "pending"
                if (ch.connect(UnixDomainSocketAddress.of(dir.resolve("burst.sock")))) {
                    queued++;
                }
            }
        } finally {
            for (SocketChannel c : pending) {
                c.close();
            }
        }
        assertThat(queued).as("connections queued without accept").isEqualTo(burst);
    }

    private MemoryBudget budget() {
        return gate.frameBudget();
    }

    private void awaitHeld(long bytes) {
        for (int i = 0; i < 2000 && budget().held() < bytes; i++) {
            Thread.onSpinWait();
            sleep();
        }
    }

    private void awaitOpen(int n) {
        for (int i = 0; i < 2000 && gate.connectionCount() != n; i++) {
            sleep();
        }
        assertThat(gate.connectionCount()).isEqualTo(n);
    }

    private static void sleep() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

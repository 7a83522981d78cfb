package dev.jdm.host.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.errno.Errno;
import dev.jdm.gate.Frames;
import dev.jdm.gate.GateClient;
import dev.jdm.gate.GateException;
import dev.jdm.gate.GateVersion;
import dev.jdm.gate.proto.HostInfoCall;
import dev.jdm.gate.proto.HostInfoReply;
import dev.jdm.gate.proto.LsmodCall;
import dev.jdm.gate.proto.LsmodReply;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import dev.jdm.host.Host;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.sysctl.Sysctl;
import dev.jdm.host.task.Task;
import dev.jdm.host.task.TaskRegistry;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients and hosts of different gate versions meet at the highest version both speak; old clients keep working. */
class GateNegotiationTest {
    @TempDir
    Path dir;
    GateServer gate;

    /** A handler that serves host_info since version 1 and lsmod as if lsmod had come in version 2. */
    private Path startWithACallOfVersion2() throws IOException {
        Sysctl sysctl = new Sysctl();
        GateSysctls.register(sysctl);
        CallTable table = new CallTable().register(new CallHandler() {
            @Override
            public Map<Request.CallCase, Integer> calls() {
                return Map.of(Request.CallCase.HOST_INFO, 1, Request.CallCase.LSMOD, 2);
            }

            @Override
            public void handle(Task task, Request request, GateServer.Responder out) throws IOException {
                out.send(request.hasLsmod() ? Response.newBuilder().setLsmod(LsmodReply.getDefaultInstance()).build()
                        : Response.newBuilder().setHostInfo(HostInfoReply.newBuilder().setVersion("t")).build());
            }
        });
        Path socket = dir.resolve("gate.sock");
        gate = new GateServer(socket, table, new TaskRegistry(), new LogRing(64, null, () -> 0), sysctl);
        gate.start();
        return socket;
    }

    @AfterEach
    void stop() {
        if (gate != null) {
            gate.close();
        }
    }

    private static Response raw(Path socket, Request request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            Frames.write(new DataOutputStream(Channels.newOutputStream(ch)), request.toByteArray());
            return Response.parseFrom(Frames.read(new DataInputStream(Channels.newInputStream(ch))));
        }
    }

    @Test
    void shouldServeAVersion1ClientThatSendsNoMaximum() throws IOException {
        Path socket = startWithACallOfVersion2();
        Response r = raw(socket, Request.newBuilder().setVersion(1).setId(7).setHostInfo(HostInfoCall.getDefaultInstance()).build());
        assertThat(r.hasError()).as(r.getError().getMessage()).isFalse();
        assertThat(r.getId()).isEqualTo(7);
        assertThat(r.getVersion()).isEqualTo(1);
        assertThat(r.getHostInfo().getVersion()).isEqualTo("t");
        Response newer = raw(socket, Request.newBuilder().setVersion(1).setId(8).setLsmod(LsmodCall.getDefaultInstance()).build());
        assertThat(newer.getError().getCode()).as("a call of version 2 on a version 1 connection").isEqualTo("ENOSYS");
        assertThat(newer.getError().getMessage()).isEqualTo("lsmod needs gate version 2; this connection speaks 1");
    }

    @Test
    void shouldMeetANewerClientAtTheHostsNewestAndRefuseOneWithNothingInCommon() throws IOException {
        Path socket = startWithACallOfVersion2();
        try (GateClient client = GateClient.connect(socket)) {
            assertThat(client.call(Request.newBuilder().setLsmod(LsmodCall.getDefaultInstance())).hasLsmod()).isTrue();
            assertThat(client.version()).isEqualTo(GateVersion.MAX);
        }
        Response future = raw(socket, Request.newBuilder().setVersion(1).setMaxVersion(9).setHostInfo(HostInfoCall.getDefaultInstance()).build());
        assertThat(future.getVersion()).isEqualTo(GateVersion.MAX);
        Response none = raw(socket, Request.newBuilder().setVersion(GateVersion.MAX + 1).setMaxVersion(GateVersion.MAX + 3)
                .setHostInfo(HostInfoCall.getDefaultInstance()).build());
        assertThat(none.getError().getCode()).isEqualTo("EPROTO");
        assertThat(none.getError().getErrno()).isEqualTo(Errno.EPROTO.number());
        assertThat(none.getError().getMessage()).isEqualTo("the client speaks gate versions " + (GateVersion.MAX + 1) + ".." + (GateVersion.MAX + 3) + "; this host speaks 1.." + GateVersion.MAX);
        try (GateClient old = GateClient.connect(socket, 1, 1)) {
            assertThatThrownBy(() -> old.call(Request.newBuilder().setLsmod(LsmodCall.getDefaultInstance())))
                    .isInstanceOf(GateException.class).extracting(e -> ((GateException) e).errno().orElseThrow()).isEqualTo(Errno.ENOSYS);
        }
    }

    @Test
    void shouldServeEveryCallOfTheRealHostToAVersion1Client() throws IOException {
        try (Host host = Host.start(new Host.Options(null, dir.resolve("host.sock"), dir.resolve("state"), null, null));
                GateClient old = GateClient.connect(host.socket(), 1, 1)) {
            assertThat(old.call(Request.newBuilder().setHostInfo(HostInfoCall.getDefaultInstance())).getHostInfo().getGateVersion())
                    .isEqualTo(GateVersion.MAX);
            assertThat(old.version()).isEqualTo(1);
            List<String> names = old.call(Request.newBuilder().setLsmod(LsmodCall.getDefaultInstance())).getLsmod().getModulesList().stream()
                    .map(m -> m.getName()).toList();
            assertThat(names).isNotNull();
            assertThatThrownBy(() -> old.call(Request.newBuilder().setRmmod(dev.jdm.gate.proto.RmmodCall.newBuilder().setName("nope"))))
                    .isInstanceOf(GateException.class).hasMessage("nope: module is not loaded")
                    .extracting(e -> ((GateException) e).errno().orElseThrow()).isEqualTo(Errno.ENOENT);
        }
    }
}

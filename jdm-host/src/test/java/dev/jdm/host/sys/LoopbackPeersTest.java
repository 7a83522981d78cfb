package dev.jdm.host.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;

class LoopbackPeersTest {
    @Test
    void shouldEncodeAddressesAsTheKernelPrintsThem() {
        assertThat(LoopbackPeers.encode(new InetSocketAddress(InetAddress.getLoopbackAddress(), 10809))).isEqualTo("0100007F:2A39");
    }

    @Test
    void shouldFindTheUidOfALoopbackPeer() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress()); SocketChannel accepted = server.accept()) {
                var uid = LoopbackPeers.uid((InetSocketAddress) accepted.getLocalAddress(), (InetSocketAddress) accepted.getRemoteAddress());
                assertThat(uid).hasValue(Libc.getuid());
                assertThat(client.isConnected()).isTrue();
            }
        }
    }

    @Test
    void shouldNotGuessForPeersOffLoopbackOrUnknownConnections() throws Exception {
        InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
        assertThat(LoopbackPeers.uid(local, new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 40000))).isEmpty();
        assertThat(LoopbackPeers.uid(local, new InetSocketAddress(InetAddress.getLoopbackAddress(), 2))).isEmpty();
        assertThat(Passwd.primaryGid(0)).isZero();
        assertThat(Passwd.primaryGid(Integer.MAX_VALUE)).isEqualTo(-1);
    }
}

package dev.jdm.drivers.uart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.chr.CharOpen;
import dev.jdm.gate.proto.DevValue;
import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.host.chr.Heartbeat;
import dev.jdm.host.chr.OpenAsAdmin;
import dev.jdm.host.chr.OpenFile;
import dev.jdm.host.chr.SerialEnds;
import dev.jdm.hw.emu.uart.Uart16550Device;
import dev.jdm.hw.emu.uart.UnixSocketLine;
import dev.jdm.symvers.JarContents;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver against the emulated chip through the real host, with a real Unix-socket peer on the
 * far side of the line: bytes both ways through serial0, the typed calls, faults and removal.
 */
class UartDriverTest {
    @TempDir Path tmp;
    protected Host host;
    private UnixSocketLine line;
    private Uart16550Device chip;
    private SocketChannel peer;
    private final OpenAsAdmin admin = new OpenAsAdmin();

    @BeforeEach
    void start() throws Exception {
        Path config = Files.writeString(tmp.resolve("host.toml"), "modules = []\n");
        host = Host.start(new Host.Options(config, tmp.resolve("gate.sock"), tmp.resolve("state"), null, null));
        line = UnixSocketLine.listen(tmp.resolve("line.sock"));
        chip = new Uart16550Device(line);
        host.board().plug(onBoard(chip));
        host.modules().load(JarContents.read(Path.of("target/classes")), "target/classes", loadParams(), false);
        peer = SocketChannel.open(UnixDomainSocketAddress.of(tmp.resolve("line.sock")));
    }

    /** The device as it goes on the board: the chip as a PCI serial function (a subclass puts it on the platform bus). */
    protected dev.jdm.hw.emu.EmulatedDevice onBoard(Uart16550Device chip) {
        return chip;
    }

    /**
     * The line speed the driver is loaded with: 9600 baud, a character a millisecond. The line has
     * no flow control, so a receive burst longer than the FIFO is lost if the interrupt handler is
     * held off for the time of the FIFO's headroom (8 characters past the trigger level): at 115200
     * that is 0.7 ms, which a loaded machine's scheduler can take; at 9600 it is 8 ms.
     */
    protected int baud() {
        return 9600;
    }

    /** The driver's load parameters (a subclass places it in a domain). */
    protected Map<String, String> loadParams() {
        return Map.of("baud", Integer.toString(baud()));
    }

    @AfterEach
    void stop() throws Exception {
        peer.close();
        host.close();
        line.close();
    }

    private String readPeer(int bytes) throws Exception {
        return SerialEnds.readPeer(peer, bytes);
    }

    private static String readNode(OpenFile f, int bytes) throws Exception {
        return SerialEnds.readNode(f, bytes);
    }

    private Map<String, DevValue> status() {
        return SerialEnds.status(host.chr().calls("serial0").orElseThrow());
    }

    @Test
    void shouldCarryBytesBothWaysBetweenTheNodeAndThePeerAtTheLine() throws Exception {
        String text = "the quick brown fox jumps over the lazy dog, 0123456789\n".repeat(8); // 456 bytes: many FIFO refills
        try (OpenFile f = host.chr().open("serial0", CharOpen.READ | CharOpen.WRITE | CharOpen.NONBLOCK, admin)) {
            assertThat(f.write(text.getBytes(StandardCharsets.US_ASCII), Heartbeat.NONE)).isEqualTo(text.length());
            assertThat(readPeer(text.length())).isEqualTo(text);
            peer.write(ByteBuffer.wrap("hello from the far side".getBytes(StandardCharsets.US_ASCII)));
            String got = readNode(f, 23);
            assertThat(got).isEqualTo("hello from the far side");
        }
        Map<String, DevValue> s = status();
        assertThat(s.get("transmitted").getIntValue()).isEqualTo(text.length());
        assertThat(s.get("received").getIntValue()).isEqualTo(23);
        assertThat(s.get("baud").getIntValue()).isEqualTo(baud());
    }

    @Test
    void shouldCountFramingErrorsAndKeepGoodBytes() throws Exception {
        chip.faults().errorEvery(4);
        try (OpenFile f = host.chr().open("serial0", CharOpen.READ | CharOpen.NONBLOCK, admin)) {
            peer.write(ByteBuffer.wrap("abcdefgh".getBytes(StandardCharsets.US_ASCII)));
            assertThat(readNode(f, 6)).isEqualTo("abcefg");
        }
        assertThat(status().get("framingErrors").getIntValue()).isEqualTo(2);
    }

    @Test
    void shouldKeepTheLineGoingThroughLostInterruptEdges() throws Exception {
        chip.faults().dropInterruptEvery(2);
        try (OpenFile f = host.chr().open("serial0", CharOpen.READ | CharOpen.WRITE | CharOpen.NONBLOCK, admin)) {
            String text = "x".repeat(200);
            assertThat(f.write(text.getBytes(StandardCharsets.US_ASCII), Heartbeat.NONE)).isEqualTo(200);
            assertThat(readPeer(200)).isEqualTo(text);
            peer.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
            assertThat(readNode(f, 4)).isEqualTo("ping");
        }
    }

    @Test
    void shouldEndReadsAndRemoveTheNodeWhenTheChipIsPulled() throws Exception {
        OpenFile f = host.chr().open("serial0", CharOpen.READ | CharOpen.NONBLOCK, admin);
        host.board().unplug(host.board().list().getFirst().name());
        assertThat(host.chr().find("serial0")).isEmpty();
        assertThatThrownBy(() -> f.read(16, Heartbeat.NONE)).isInstanceOf(HostException.class);
        f.close();
        assertThat(host.board().list()).isEmpty();
    }
}

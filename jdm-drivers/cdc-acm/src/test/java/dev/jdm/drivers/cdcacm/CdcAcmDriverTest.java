package dev.jdm.drivers.cdcacm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.chr.CharOpen;
import dev.jdm.errno.Errno;
import dev.jdm.gate.proto.DevValue;
import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.host.chr.Heartbeat;
import dev.jdm.host.chr.OpenAsAdmin;
import dev.jdm.host.chr.OpenFile;
import dev.jdm.host.chr.SerialEnds;
import dev.jdm.host.hw.EmulatedDevices;
import dev.jdm.hw.emu.uart.UnixSocketLine;
import dev.jdm.hw.emu.usb.CdcAcmDevice;
import dev.jdm.symvers.JarContents;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class driver against the emulated CDC-ACM device on the host's USB bus, with a real
 * Unix-socket peer on the far side of its line: enumeration and binding by interface alias, bytes
 * both ways through acm0 over bulk URBs, carrier from SERIAL_STATE, faults and removal.
 */
class CdcAcmDriverTest {
    @TempDir Path tmp;
    private Host host;
    private UnixSocketLine line;
    private CdcAcmDevice chip;
    private SocketChannel peer;
    private final OpenAsAdmin admin = new OpenAsAdmin();

    @BeforeEach
    void start() throws Exception {
        Path config = Files.writeString(tmp.resolve("host.toml"), "modules = []\n");
        host = Host.start(new Host.Options(config, tmp.resolve("gate.sock"), tmp.resolve("state"), null, null));
        line = UnixSocketLine.listen(tmp.resolve("line.sock"));
        chip = new CdcAcmDevice(line);
        host.board().plug(EmulatedDevices.Made.usb(chip, "cdc-acm", "test line", () -> { }));
        host.modules().load(JarContents.read(Path.of("target/classes")), "target/classes", loadParams(), false);
        peer = SocketChannel.open(UnixDomainSocketAddress.of(tmp.resolve("line.sock")));
    }

    /** The driver's load parameters (a subclass places it in a domain). */
    protected Map<String, String> loadParams() {
        return Map.of();
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
        return SerialEnds.status(host.chr().calls("acm0").orElseThrow());
    }

    @Test
    void shouldEnumerateBindByInterfaceAliasAndCarryBytesBothWays() throws Exception {
        assertThat(host.board().list()).singleElement().satisfies(d -> {
            assertThat(d.name()).isEqualTo("usb1-1");
            assertThat(d.driver()).isEqualTo("cdc-acm");
            assertThat(d.modalias()).isEqualTo("usb:v0525pA4A7d" + d.modalias().substring(15, 19) + "dc02dsc00dp00ic02isc02ip01in00");
        });
        String text = "the quick brown fox jumps over the lazy dog, 0123456789\n".repeat(200); // 11400 bytes: many bulk packets
        try (OpenFile f = host.chr().open("acm0", CharOpen.READ | CharOpen.WRITE | CharOpen.NONBLOCK, admin)) {
            int written = 0;
            byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
            while (written < bytes.length) {
                try {
                    written += f.write(java.util.Arrays.copyOfRange(bytes, written, bytes.length), Heartbeat.NONE);
                } catch (HostException e) {
                    assertThat(e.code()).isEqualTo(Errno.EAGAIN);
                    Thread.sleep(2);
                }
            }
            assertThat(readPeer(text.length())).isEqualTo(text);
            String back = "hello from the far side of the USB line".repeat(30);
            peer.write(ByteBuffer.wrap(back.getBytes(StandardCharsets.US_ASCII)));
            assertThat(readNode(f, back.length())).isEqualTo(back);
        }
        Map<String, DevValue> s = status();
        assertThat(s.get("transmitted").getIntValue()).isEqualTo(text.length());
        assertThat(s.get("received").getIntValue()).isEqualTo(39 * 30);
        assertThat(s.get("carrier").getBoolValue()).as("SERIAL_STATE after the peer connected").isTrue();
    }

    @Test
    void shouldRetryTransactionErrorsAndKeepTheLineGoing() throws Exception {
        chip.faults().errorEvery(3);
        try (OpenFile f = host.chr().open("acm0", CharOpen.READ | CharOpen.WRITE | CharOpen.NONBLOCK, admin)) {
            // Each ping is read back before the next is sent, so each takes a bulk IN URB of its own;
            // every third URB the device submits fails, whichever endpoint it is on, so a few rounds
            // always reach a failing IN URB. The ping must still arrive whole after the retry.
            int round = 0;
            for (; round < 30 && status().get("errors").getIntValue() == 0; round++) {
                String ping = "ping" + round + ";";
                peer.write(ByteBuffer.wrap(ping.getBytes(StandardCharsets.US_ASCII)));
                assertThat(readNode(f, ping.length())).as("round %d", round).isEqualTo(ping);
            }
            assertThat(status().get("errors").getIntValue()).as("errors after %d rounds", round).isPositive();
            assertThat(f.write("pong".getBytes(StandardCharsets.US_ASCII), Heartbeat.NONE)).isEqualTo(4);
            assertThat(readPeer(4)).endsWith("pong");
        }
    }

    @Test
    void shouldEndReadsAndRemoveTheNodeWhenTheDeviceIsPulledWithUrbsPending() throws Exception {
        OpenFile f = host.chr().open("acm0", CharOpen.READ | CharOpen.NONBLOCK, admin);
        chip.faults().stuckBusy(true); // the bulk endpoints NAK forever: URBs stay pending
        long t0 = System.nanoTime();
        host.board().unplug("usb1-1");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(3000);
        assertThat(host.chr().find("acm0")).isEmpty();
        assertThatThrownBy(() -> f.read(16, Heartbeat.NONE)).isInstanceOf(HostException.class);
        f.close();
        assertThat(host.board().list()).isEmpty();
        assertThat(host.log().since(0).stream().map(r -> r.message())).noneMatch(m -> m.contains("threw"));
    }

    @Test
    void shouldRemoveItsBindingWhenTheModuleUnloadsAndBindAgainWhenItReturns() throws Exception {
        host.modules().unload("cdc-acm", false, false);
        assertThat(host.chr().find("acm0")).isEmpty();
        assertThat(host.board().list()).singleElement().satisfies(d -> assertThat(d.driver()).isEmpty());
        host.modules().load(JarContents.read(Path.of("target/classes")), "target/classes", loadParams(), false);
        assertThat(host.chr().find("acm0")).isPresent();
    }
}

package dev.jdm.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.errno.Errno;
import dev.jdm.gate.GateException;
import dev.jdm.host.Host;
import dev.jdm.symvers.JarContents;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client library against a real host (in this JVM) serving the bundled char drivers on its gate. */
class DevClientTest {
    static final Path MODULES = Path.of("target/modules");

    /** This client's copy of kbd0's call interface: the same shapes as the driver's. */
    interface Keyboard {
        enum Action { RELEASE, PRESS, REPEAT }

        record KeyEvent(int code, Action action) {}

        record Keys(List<KeyEvent> events) {}

        record Text(String text) {}

        record Fed(int events, int readers) {}

        record Status(boolean held, int readers, long delivered, long dropped) {}

        Fed feed(Keys keys);

        Fed type(Text text);

        Status status();
    }

    /** A client built against an older kbd0, whose key events had no action yet. */
    interface OldKeyboard {
        record KeyEvent(int code) {}

        record Keys(List<KeyEvent> events) {}

        record Fed(int events, int readers) {}

        Fed feed(Keys keys);
    }

    @TempDir
    Path tmp;
    Host host;
    DevClient client;

    @BeforeEach
    void start() throws IOException {
        Path config = Files.writeString(tmp.resolve("host.toml"), "modules = []\n");
        host = Host.start(new Host.Options(config, tmp.resolve("gate.sock"), tmp.resolve("state"), null, null));
        for (String m : List.of("chr-mem", "chr-input")) {
            Path jar = MODULES.resolve(m + ".jar");
            host.modules().load(JarContents.read(jar), jar.toString(), Map.of(), false);
        }
        client = DevClient.connect(host.socket());
    }

    @AfterEach
    void stop() {
        client.close();
        host.close();
    }

    @Test
    void aTypedStubCallsTheDeviceWithRecordsInAndOut() throws IOException {
        Keyboard kb = client.calls("kbd0", Keyboard.class);
        try (DevInputStream in = client.input("kbd0", 0)) {
            Keyboard.Fed fed = kb.type(new Keyboard.Text("Hi"));
            assertThat(fed).isEqualTo(new Keyboard.Fed(12, 1)); // shift, h, i: 6 key events, each with a SYN_REPORT
            byte[] first = new DataInputStream(in).readNBytes(24);
            assertThat(first[18]).as("KEY_LEFTSHIFT first").isEqualTo((byte) 42);
        }
        assertThat(kb.status().delivered()).isEqualTo(12);
        assertThat(kb.toString()).contains("kbd0");
    }

    @Test
    void aDeclaredErrorArrivesWithItsErrno() {
        Keyboard kb = client.calls("kbd0", Keyboard.class);
        assertThatThrownBy(() -> kb.feed(new Keyboard.Keys(List.of(new Keyboard.KeyEvent(0, Keyboard.Action.PRESS))))).isInstanceOf(GateException.class)
                .satisfies(e -> assertThat(((GateException) e).errno()).contains(Errno.EINVAL)).hasMessageContaining("is not a key code");
    }

    @Test
    void anOlderClientIsRefusedWithEprotoAndNothingRuns() {
        OldKeyboard old = client.calls("kbd0", OldKeyboard.class);
        assertThatThrownBy(() -> old.feed(new OldKeyboard.Keys(List.of(new OldKeyboard.KeyEvent(30))))).isInstanceOf(GateException.class)
                .satisfies(e -> assertThat(((GateException) e).errno()).contains(Errno.EPROTO))
                .hasMessageContaining("kbd0.feed: the client was built against another definition").hasMessageContaining("nothing ran");
        assertThat(client.calls("kbd0", Keyboard.class).status().delivered()).isZero();
    }

    @Test
    void tenThousandOpenCloseCyclesOverTheGateLeakNothing() {
        long size = host.modules().get("chr-input").orElseThrow().size();
        for (int i = 0; i < 10_000; i++) {
            client.close(client.open("kbd0", DevClient.READ | DevClient.EXCL));
        }
        assertThat(host.charFiles().openCount()).as("handles on the gate").isZero();
        assertThat(host.chr().find("kbd0").orElseThrow().openCount()).isZero();
        assertThat(host.chr().find("kbd0").orElseThrow().held()).isFalse();
        assertThat(host.modules().get("chr-input").orElseThrow().refcount()).isZero();
        assertThat(host.modules().get("chr-input").orElseThrow().size()).as("code and kmem of chr-input").isEqualTo(size);
        assertThat(client.calls("kbd0", Keyboard.class).status().readers()).as("the driver released every file").isZero();
    }

    @Test
    void aClientThatDisconnectsMidReadFreesItsOpenFile() throws Exception {
        DevClient other = DevClient.connect(host.socket());
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                other.input("kbd0", DevClient.EXCL).read(new byte[24]);
            } catch (IOException | RuntimeException ended) {
                // the connection was closed under it
            }
        });
        while (host.chr().find("kbd0").orElseThrow().openCount() == 0) {
            Thread.sleep(10);
        }
        Thread.sleep(300); // well into its blocking read
        other.close();
        long end = System.nanoTime() + 5_000_000_000L;
        while (host.chr().find("kbd0").orElseThrow().openCount() != 0 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(host.chr().find("kbd0").orElseThrow().openCount()).isZero();
        assertThat(host.chr().find("kbd0").orElseThrow().held()).isFalse();
        reader.join(5_000);
    }

    @Test
    void streamsReadAndWriteDevicesWithTheirSemantics() throws IOException {
        try (DevInputStream zero = client.input("zero", 0)) {
            byte[] b = new DataInputStream(zero).readNBytes(5 << 20);
            assertThat(b).hasSize(5 << 20).containsOnly(0);
        }
        try (DevInputStream nul = client.input("null", 0)) {
            assertThat(nul.read()).isEqualTo(-1);
        }
        try (DevInputStream urandom = client.input("urandom", 0)) {
            assertThat(urandom.readNBytes(1 << 20)).hasSize(1 << 20).isNotEqualTo(new byte[1 << 20]);
        }
        try (OutputStream full = client.output("full")) {
            assertThatThrownBy(() -> full.write(new byte[10])).isInstanceOf(IOException.class).hasMessageContaining("ENOSPC");
        }
        assertThat(host.chr().find("full").orElseThrow().openCount()).as("closing the stream released the file").isZero();
    }

    @Test
    void bulkReadsKeptInFlightGiveWayToOtherCallsOnTheSameConnectionAndLoseNothing() throws Exception {
        Keyboard kbd = client.calls("kbd0", Keyboard.class);
        try (DevInputStream zero = client.input("zero", 0); DevInputStream urandom = client.input("urandom", 0)) {
            byte[] buf = new byte[1 << 20];
            long total = 0;
            for (int i = 0; i < 6; i++) {
                int n = zero.read(buf, 0, buf.length); // full chunks: reads go ahead of the caller
                assertThat(n).isPositive();
                for (int j = 0; j < n; j++) {
                    assertThat(buf[j]).isZero();
                }
                total += n;
                assertThat(kbd.status().readers()).as("a typed call between reads").isZero();
                assertThat(urandom.read(buf, 0, 100_000)).as("another stream on the connection").isPositive();
            }
            assertThat(total).isGreaterThanOrEqualTo(6L << 16);
            byte[] small = new byte[10];
            assertThat(zero.read(small)).as("what was read ahead is served to small reads too").isEqualTo(10);
            assertThat(small).containsOnly(0);
        }
        assertThat(host.chr().find("zero").orElseThrow().openCount()).as("closing with reads in flight released the file").isZero();
        assertThat(host.chr().find("urandom").orElseThrow().openCount()).isZero();
        try (DevClient other = DevClient.connect(host.socket()); DevInputStream z = other.input("zero", 0)) {
            byte[] mib = new byte[1 << 20];
            assertThat(z.readNBytes(mib, 0, mib.length)).as("one bulk read's worth").isEqualTo(mib.length);
            assertThat(mib).containsOnly(0);
            assertThat(host.charFiles().readBuffersHeld()).as("one bulk buffer per connection, never shared").isEqualTo(2);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (host.charFiles().readBuffersHeld() != 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(host.charFiles().readBuffersHeld()).as("the ended connection's buffer is let go").isEqualTo(1);
    }
}

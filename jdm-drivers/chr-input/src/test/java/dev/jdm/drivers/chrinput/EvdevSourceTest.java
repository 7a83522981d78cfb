package dev.jdm.drivers.chrinput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.chr.CharOpen;
import dev.jdm.host.chr.CharDriverContract;
import dev.jdm.host.chr.Heartbeat;
import dev.jdm.host.chr.OpenFile;
import dev.jdm.host.log.LogRecord;
import dev.jdm.symvers.JarContents;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * kbd0 reading a granted evdev node. No machine here has /dev/input, so a FIFO made by mkfifo
 * stands in for the node, and the test writes Linux's 24-byte {@code struct input_event} records
 * into it as the kernel would. Every char driver's contract holds with the source attached.
 */
class EvdevSourceTest extends CharDriverContract {
    @Override
    protected String moduleName() {
        return "chr-input";
    }

    @Override
    protected Set<String> nodes() {
        return Set.of("kbd0");
    }

    private Path fifo() {
        return tmp.resolve("event3");
    }

    /** Where the module runs, as load parameters: the host by default. */
    protected Map<String, String> placement() {
        return Map.of();
    }

    private Map<String, String> placed(Map<String, String> params) {
        Map<String, String> all = new java.util.HashMap<>(params);
        all.putAll(placement());
        return all;
    }

    @Override
    protected Map<String, String> params() {
        try {
            if (!Files.exists(fifo())) {
                Process p = new ProcessBuilder("mkfifo", fifo().toString()).inheritIO().start();
                assertThat(p.waitFor()).as("mkfifo").isZero();
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("mkfifo " + fifo(), e);
        }
        return placed(Map.of("evdev", fifo().toString()));
    }

    /** One input_event as Linux x86_64 lays it out: timeval (16), type, code (u16), value (s32), native order. */
    static byte[] event(long sec, long usec, int type, int code, int value) {
        return ByteBuffer.allocate(Events.SIZE).order(ByteOrder.nativeOrder()).putLong(sec).putLong(usec).putShort((short) type)
                .putShort((short) code).putInt(value).array();
    }

    static byte[] concat(byte[]... parts) {
        ByteBuffer b = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    /** Reads from a non-blocking open until {@code n} bytes have come, or fails after a few seconds. */
    private static byte[] readBytes(OpenFile f, int n) throws Exception {
        ByteBuffer got = ByteBuffer.allocate(n);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (got.hasRemaining() && System.nanoTime() < deadline) {
            try {
                got.put(f.read(got.remaining(), Heartbeat.NONE));
            } catch (dev.jdm.host.HostException e) {
                Thread.sleep(10); // EAGAIN: the source has not delivered yet
            }
        }
        assertThat(got.position()).as("bytes read from kbd0").isEqualTo(n);
        return got.array();
    }

    private LogRecord awaitLog(Predicate<String> message) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            for (LogRecord r : host.log().since(0)) {
                if (message.test(r.message())) {
                    return r;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no log line came; the log: " + host.log().since(0).stream().map(LogRecord::message).toList());
    }

    @Test
    void recordsWrittenToTheNodeAreReadFromKbd0AsTheyWereEvenWhenSplitAcrossWrites() throws Exception {
        byte[] press = event(1700000000, 123456, Events.EV_KEY, 30, 1);
        byte[] syn = event(1700000000, 123456, Events.EV_SYN, Events.SYN_REPORT, 0);
        byte[] release = event(1700000001, 7, Events.EV_KEY, 30, 0);
        try (OpenFile f = host.chr().open("kbd0", CharOpen.READ | CharOpen.NONBLOCK, admin);
                OutputStream node = new FileOutputStream(fifo().toFile())) {
            byte[] all = concat(press, syn, release);
            node.write(all, 0, 30); // ends 6 bytes into the second record
            node.flush();
            Thread.sleep(50);
            node.write(all, 30, all.length - 30);
            node.flush();
            assertThat(readBytes(f, all.length)).isEqualTo(all);
        }
    }

    @Test
    void theEmulatedKeyboardStillFeedsKbd0BesideTheNode() throws Exception {
        try (OpenFile f = host.chr().open("kbd0", CharOpen.READ | CharOpen.NONBLOCK, admin)) {
            host.chr().calls("kbd0").orElseThrow().invoke("type", "", ChrInputTest.rec("text", "a"));
            ByteBuffer b = ByteBuffer.wrap(readBytes(f, 4 * Events.SIZE)).order(ByteOrder.nativeOrder());
            assertThat(b.getShort(18)).as("KEY_A").isEqualTo((short) 30);
        }
    }

    @Test
    void aRecordOfNoEventTypeStopsTheSourceWithOneErrorNamingTheNodeAndOffset() throws Exception {
        try (OutputStream node = new FileOutputStream(fifo().toFile())) {
            node.write(concat(event(1, 0, Events.EV_KEY, 30, 1), event(1, 0, 0x55, 0, 0)));
        }
        LogRecord r = awaitLog(m -> m.startsWith("kbd0: evdev "));
        assertThat(r.message()).contains(fifo().toString()).contains("byte 24").contains("event type 0x55").contains("EV_MAX");
    }

    @Test
    void aStreamEndingInsideARecordGivesOneErrorNamingIt() throws Exception {
        try (OutputStream node = new FileOutputStream(fifo().toFile())) {
            node.write(concat(event(1, 0, Events.EV_KEY, 30, 1), Arrays.copyOf(event(1, 0, Events.EV_SYN, 0, 0), 10)));
        }
        LogRecord r = awaitLog(m -> m.startsWith("kbd0: evdev "));
        assertThat(r.message()).contains(fifo().toString()).contains("ended inside the record at byte 24").contains("10 of its 24 bytes");
    }

    @Test
    void unloadingEndsTheReadThatWaitsOnTheNodeAndClosesIt() {
        long t0 = System.nanoTime();
        host.modules().unload(moduleName(), false, false);
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to unload with a read waiting").isLessThan(5_000);
        assertThat(host.log().since(0)).extracting(LogRecord::message).noneMatch(m -> m.contains("left " + fifo()));
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).noneMatch(n -> n.startsWith("grant-chr-input"));
    }

    @Test
    void aNodeThatIsMissingOrOfTheWrongKindRefusesTheLoadNamingIt() throws Exception {
        host.modules().unload(moduleName(), false, false);
        for (String[] bad : new String[][] {{tmp.resolve("none").toString(), "ENOENT"}, {tmp.toString(), "not a character device, FIFO or regular file"}}) {
            assertThatThrownBy(() -> host.modules().load(JarContents.read(moduleClasses()), moduleClasses().toString(), placed(Map.of("evdev", bad[0])), false))
                    .hasMessageContaining("evdev").hasMessageContaining(bad[0]).hasMessageContaining(bad[1]);
        }
        assertThat(host.chr().find("kbd0")).as("no kbd0 is left behind by a refused load").isEmpty();
    }
}

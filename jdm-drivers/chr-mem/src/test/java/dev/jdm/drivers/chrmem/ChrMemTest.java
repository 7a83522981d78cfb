package dev.jdm.drivers.chrmem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.chr.CharFile;
import dev.jdm.abi.chr.CharOpen;
import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import dev.jdm.host.chr.CharDriverContract;
import dev.jdm.host.chr.Heartbeat;
import dev.jdm.host.chr.OpenFile;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChrMemTest extends CharDriverContract {
    @Override
    protected String moduleName() {
        return "chr-mem";
    }

    @Override
    protected Set<String> nodes() {
        return Set.of("null", "zero", "full", "urandom", "kmsg");
    }

    private OpenFile open(String n, int flags) {
        return host.chr().open(n, flags, admin);
    }

    @Test
    void nullReadsNothingAndSwallowsWrites() throws Exception {
        try (OpenFile f = open("null", CharOpen.READ | CharOpen.WRITE)) {
            assertThat(f.read(100, Heartbeat.NONE)).isEmpty();
            assertThat(f.write(new byte[1000], Heartbeat.NONE)).isEqualTo(1000);
        }
        assertThat(host.chr().find("null").orElseThrow()).satisfies(n -> assertThat(n.major() + ":" + n.minor()).isEqualTo("1:3"));
    }

    @Test
    void zeroReadsZeroesOfTheLengthAsked() throws Exception {
        try (OpenFile f = open("zero", CharOpen.READ)) {
            byte[] b = f.read(1 << 20, Heartbeat.NONE);
            assertThat(b).hasSize(1 << 20);
            for (byte x : b) {
                assertThat(x).isZero();
            }
        }
    }

    @Test
    void fullReadsZeroesAndRefusesWritesWithEnospc() throws Exception {
        try (OpenFile f = open("full", CharOpen.READ | CharOpen.WRITE)) {
            assertThat(f.read(8, Heartbeat.NONE)).containsOnly(0);
            assertThatThrownBy(() -> f.write(new byte[] {1}, Heartbeat.NONE)).isInstanceOf(HostException.class)
                    .satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.ENOSPC)).hasMessageContaining("full");
        }
    }

    @Test
    void urandomGivesDifferentBytesEachRead() throws Exception {
        try (OpenFile f = open("urandom", CharOpen.READ)) {
            byte[] a = f.read(4096, Heartbeat.NONE);
            byte[] b = f.read(4096, Heartbeat.NONE);
            assertThat(a).hasSize(4096).isNotEqualTo(b).isNotEqualTo(new byte[4096]);
        }
    }

    @Test
    void kmsgGivesOneRecordPerReadAndABlockingReadWaitsForTheNextRecord() throws Exception {
        try (OpenFile f = open("kmsg", CharOpen.READ)) {
            f.seek(0, CharFile.SEEK_END);
            assertThat(f.poll(CharFile.POLLIN, 0, Heartbeat.NONE)).isZero();
            CompletableFuture<byte[]> next = CompletableFuture.supplyAsync(() -> {
                try {
                    return f.read(8192, Heartbeat.NONE);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(200);
            assertThat(next).as("nothing logged yet: the read waits").isNotDone();
            host.log().append(LogLevel.WARNING, "test", "a line for kmsg");
            String line = new String(next.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            assertThat(line).matches("4,\\d+,\\d+,-;test: a line for kmsg\n");
        }
    }

    @Test
    void kmsgNonBlockingReadAtTheEndIsEagainAndASmallBufferIsEinval() throws Exception {
        try (OpenFile f = open("kmsg", CharOpen.READ | CharOpen.NONBLOCK)) {
            assertThatThrownBy(() -> f.read(2, Heartbeat.NONE)).satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EINVAL));
            f.seek(0, CharFile.SEEK_END);
            assertThatThrownBy(() -> f.read(4096, Heartbeat.NONE)).satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EAGAIN));
        }
    }

    @Test
    void aWriteToKmsgIsLogged() throws Exception {
        try (OpenFile f = open("kmsg", CharOpen.WRITE)) {
            f.write("from a writer\n".getBytes(StandardCharsets.UTF_8), Heartbeat.NONE);
        }
        assertThat(host.log().since(1)).anySatisfy(r -> {
            assertThat(r.source()).isEqualTo("chr-mem");
            assertThat(r.message()).isEqualTo("from a writer");
        });
    }
}

package dev.jdm.host.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.abi.LogLevel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LogRingTest {
    @Test
    void shouldNumberRecordsAndKeepOnlyTheNewestWhenFull() {
        LogRing ring = new LogRing(4, null, () -> 7);
        for (int i = 1; i <= 10; i++) {
            assertThat(ring.append(LogLevel.INFO, "t", "m" + i).seq()).isEqualTo(i);
        }
        List<LogRecord> kept = ring.since(1);
        assertThat(kept).extracting(LogRecord::message).containsExactly("m7", "m8", "m9", "m10");
        assertThat(ring.since(9)).extracting(LogRecord::seq).containsExactly(9L, 10L);
        assertThat(ring.since(11)).isEmpty();
        assertThat(ring.nextSeq()).isEqualTo(11);
    }

    @Test
    void shouldKeepMessagesToOneBoundedLine() {
        LogRing ring = new LogRing(8, null, () -> 7);
        assertThat(ring.append(LogLevel.ERR, "t", "a\nb").message()).isEqualTo("a b");
        assertThat(ring.append(LogLevel.ERR, "t", "x".repeat(10_000)).message()).hasSize(4097);
    }

    @Test
    void shouldEchoOnlyUpToTheConsoleLevel() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LogRing ring = new LogRing(8, new PrintStream(bytes, true, StandardCharsets.UTF_8), LogLevel.WARNING::ordinal);
        ring.append(LogLevel.ERR, "mod", "shown");
        ring.append(LogLevel.DEBUG, "mod", "hidden");
        String console = bytes.toString(StandardCharsets.UTF_8);
        assertThat(console).contains("shown").contains("mod").doesNotContain("hidden");
        assertThat(ring.since(1)).hasSize(2);
    }

    @Test
    void shouldWakeAFollowerAndTimeOutWithNothing() throws Exception {
        LogRing ring = new LogRing(8, null, () -> 7);
        assertThat(ring.await(1, 50)).isEmpty();
        CompletableFuture<List<LogRecord>> follower = CompletableFuture.supplyAsync(() -> {
            try {
                return ring.await(1, 10_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        ring.append(LogLevel.NOTICE, "t", "wake");
        assertThat(follower.get(10, TimeUnit.SECONDS)).extracting(LogRecord::message).containsExactly("wake");
    }
}

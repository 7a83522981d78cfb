package dev.jdm.host.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log sink the host grants security modules: append-only lines, rotation by size. */
class RotatingLogTest {
    @TempDir
    Path tmp;

    @Test
    void shouldRotateBySizeAndKeepTheNewestFiles() throws Exception {
        Path f = tmp.resolve("a/audit.log");
        try (RotatingLog log = new RotatingLog(f, 4096, 2)) {
            String line = "x".repeat(999); // 1000 bytes with the newline
            for (int i = 0; i < 13; i++) {
                log.append(line.substring(0, 990) + String.format("%09d", i));
            }
            assertThat(log.size()).isEqualTo(1000);
        }
        assertThat(Files.readAllLines(f)).hasSize(1).allMatch(l -> l.endsWith("000000012"));
        assertThat(Files.readAllLines(tmp.resolve("a/audit.log.1"))).hasSize(4).last().asString().endsWith("000000011");
        assertThat(Files.readAllLines(tmp.resolve("a/audit.log.2"))).hasSize(4).first().asString().endsWith("000000004");
        assertThat(tmp.resolve("a/audit.log.3")).doesNotExist();
    }

    @Test
    void shouldRefuseLineBreaksOversizedLinesAndUseAfterClose() {
        RotatingLog log = new RotatingLog(tmp.resolve("b.log"), 4096, 1);
        assertThatThrownBy(() -> log.append("two\nlines")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line break");
        assertThatThrownBy(() -> log.append("y".repeat(70_000))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceed");
        log.close();
        assertThatThrownBy(() -> log.append("late")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(log.size()).isZero();
    }
}

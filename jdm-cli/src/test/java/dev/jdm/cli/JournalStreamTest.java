package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.abi.LogLevel;
import dev.jdm.host.log.LogRing;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class JournalStreamTest {
    @Test
    void shouldMatchOnlyTheDeviceAndInodeOfTheStream() throws Exception {
        Path file = Files.createTempFile("jdm-journal", ".log");
        long dev = (long) Files.getAttribute(file, "unix:dev");
        long ino = (long) Files.getAttribute(file, "unix:ino");
        assertThat(JournalStream.matches(dev + ":" + ino, file)).isTrue();
        assertThat(JournalStream.matches(dev + ":" + (ino + 1), file)).isFalse();
        assertThat(JournalStream.matches((dev + 1) + ":" + ino, file)).isFalse();
        assertThat(JournalStream.matches("", file)).isFalse();
        assertThat(JournalStream.matches(null, file)).isFalse();
        assertThat(JournalStream.matches("8:x", file)).isFalse();
    }

    @Test
    void shouldPrefixEachRecordWithItsSyslogPriorityAndKeepTheConsoleLevel() throws Exception {
        LogRing ring = new LogRing(64, null, () -> 7);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ring.append(LogLevel.INFO, "host", "before the follower started");
        JournalStream echo = JournalStream.follow(ring, () -> 6, err);
        ring.append(LogLevel.ERR, "ramdisk", "failed");
        ring.append(LogLevel.DEBUG, "host", "below the console level");
        ring.append(LogLevel.WARNING, "host", "stopped");
        echo.close();
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList()).hasSize(3)
                .satisfiesExactly(
                        l -> assertThat(l).startsWith("<6>[").endsWith("] host: before the follower started"),
                        l -> assertThat(l).startsWith("<3>[").endsWith("] ramdisk: failed"),
                        l -> assertThat(l).startsWith("<4>[").endsWith("] host: stopped"));
    }
}

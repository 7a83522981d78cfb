package dev.jdm.cli;

import dev.jdm.host.log.LogRecord;
import dev.jdm.host.log.LogRing;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntSupplier;

/**
 * The host's log echoed to stderr for the journal: when {@code $JOURNAL_STREAM} names stderr's
 * device and inode ({@code DEV:INODE}, as systemd sets it for a service whose stderr is a journal
 * stream), every line starts with its syslog priority, {@code <6>} for info, which journald reads
 * as the record's priority (sd-daemon(3)). {@link dev.jdm.abi.LogLevel}'s ordinals are those
 * priorities. The ring is followed on a thread of its own, as {@code jdm dmesg -w} follows it.
 */
final class JournalStream implements AutoCloseable {
    private final LogRing ring;
    private final IntSupplier level;
    private final PrintStream err;
    private final Thread follower;
    private volatile boolean closing;
    private long next = 1;

    private JournalStream(LogRing ring, IntSupplier level, PrintStream err) {
        this.ring = ring;
        this.level = level;
        this.err = err;
        this.follower = Thread.ofPlatform().daemon().name("jdm-journal").start(this::follow);
    }

    /** Whether {@code journalStream} ({@code $JOURNAL_STREAM}) names the file that {@code fd} (stderr: /proc/self/fd/2) is. */
    static boolean matches(String journalStream, Path fd) {
        if (journalStream == null || !journalStream.matches("\\d+:\\d+")) {
            return false;
        }
        try {
            String[] parts = journalStream.split(":");
            return Long.parseUnsignedLong(parts[0]) == (long) Files.getAttribute(fd, "unix:dev")
                    && Long.parseUnsignedLong(parts[1]) == (long) Files.getAttribute(fd, "unix:ino");
        } catch (IOException | UnsupportedOperationException | NumberFormatException e) {
            return false;
        }
    }

    /** Whether stderr is the journal. */
    static boolean stderrIsJournal() {
        return matches(System.getenv("JOURNAL_STREAM"), Path.of("/proc/self/fd/2"));
    }

    /** Starts echoing {@code ring}'s records up to {@code level} (a LogLevel ordinal), from the first. */
    static JournalStream follow(LogRing ring, IntSupplier level, PrintStream err) {
        return new JournalStream(ring, level, err);
    }

    /** {@code <N>[   s.micros] source: message}: the priority journald strips, then dmesg's line. */
    static String line(LogRecord r) {
        return "<" + r.level().ordinal() + ">" + r.format();
    }

    private void follow() {
        try {
            while (!closing) {
                print(ring.await(next, 200));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void print(Iterable<LogRecord> records) {
        for (LogRecord r : records) {
            next = r.seq() + 1;
            if (r.level().ordinal() <= level.getAsInt()) {
                err.println(line(r));
            }
        }
        err.flush();
    }

    /** Stops following, then prints what the ring got since (the host's last words). */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        follower.join();
        print(ring.since(next));
    }
}

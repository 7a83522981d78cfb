package dev.jdm.host.security;

import dev.jdm.abi.sec.LogSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A {@link LogSink} on a file the host chose: append-only, one line per call, rotated by size
 * ({@code name.log} becomes {@code name.log.1}, the oldest beyond {@code keep} is deleted), as
 * logrotate's {@code size} rule does.
 */
final class RotatingLog implements LogSink, AutoCloseable {
    static final int MAX_LINE = 64 * 1024;

    private final Path file;
    private final long maxBytes;
    private final int keep;
    private FileChannel channel;
    private long size;
    private boolean closed;

    RotatingLog(Path file, long maxBytes, int keep) {
        if (maxBytes < 4096 || keep < 0 || keep > 100) {
            throw new IllegalArgumentException("log " + file.getFileName() + ": maxBytes must be >= 4096 and keep 0..100");
        }
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        try {
            Files.createDirectories(file.getParent());
            open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
    }

    private void open() throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = channel.size();
    }

    @Override
    public synchronized void append(String line) {
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a log line may not contain a line break");
        }
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_LINE) {
            throw new IllegalArgumentException("a log line may not exceed " + MAX_LINE + " bytes");
        }
        if (closed) {
            throw new IllegalStateException("log " + file.getFileName() + " is closed");
        }
        try {
            if (size > 0 && size + bytes.length > maxBytes) {
                rotate();
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                channel.write(b);
            }
            size += bytes.length;
        } catch (IOException e) {
            throw new IllegalStateException("log " + file.getFileName() + ": " + e.getMessage());
        }
    }

    private void rotate() throws IOException {
        channel.close();
        Files.deleteIfExists(sibling(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(sibling(i))) {
                Files.move(sibling(i), sibling(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (keep > 0) {
            Files.move(file, sibling(1), StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.delete(file);
        }
        open();
    }

    private Path sibling(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    @Override
    public synchronized long size() {
        return size;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}

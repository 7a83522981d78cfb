package dev.jdm.host.calls;

import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import dev.jdm.host.task.Task;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.SymversException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Module JARs sent through the gate (insmod, sec replace): whole in one call, or in pieces through
 * {@code jar_upload}. Either way the bytes go to a private file in the state directory, because the
 * JAR reader works on files, and are read with the same limits as a JAR on disk (entries, size,
 * expansion ratio); the caller's own paths are never opened. A piecewise upload is never held in
 * memory, belongs to the task that started it and is dropped when that task ends.
 */
public final class JarUploads {
    /** Open uploads one task may have. */
    static final int PER_TASK = 4;

    private record Upload(Path file, long bytes) {}

    private final Path stateDir;
    private final long maxBytes;
    private final long totalBytes;
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong held = new AtomicLong();
    private final Map<Long, Map<Long, Upload>> byTask = new ConcurrentHashMap<>();

    /**
     * @param maxBytes most bytes one upload may have (a JAR larger than the reader accepts is useless)
     * @param totalBytes most bytes all open uploads may hold together on disk
     */
    JarUploads(Path stateDir, long maxBytes, long totalBytes) {
        this.stateDir = stateDir;
        this.maxBytes = maxBytes;
        this.totalBytes = totalBytes;
    }

    public JarUploads(Path stateDir) {
        this(stateDir, JarContents.MAX_TOTAL_BYTES, 4 * JarContents.MAX_TOTAL_BYTES);
    }

    /** Appends to the task's upload {@code id}, or starts one if {@code id} is 0; returns the id and the bytes so far. */
    synchronized long[] append(Task task, long id, byte[] data) throws IOException {
        Map<Long, Upload> mine = byTask.computeIfAbsent(task.id(), k -> new ConcurrentHashMap<>());
        Upload u;
        if (id == 0) {
            if (mine.size() >= PER_TASK) {
                throw new HostException(Errno.EBUSY, "jar upload: this connection has " + PER_TASK + " uploads open already; finish one first");
            }
            u = new Upload(Files.createTempFile(stateDir, "upload-", ".jar"), 0); // mode 0600
            id = nextId.getAndIncrement();
            mine.put(id, u);
        } else {
            u = mine.get(id);
            if (u == null) {
                throw new HostException(Errno.ENOENT, "jar upload: no upload " + id + " is open on this connection");
            }
        }
        long after = u.bytes() + data.length;
        if (after > maxBytes) {
            drop(mine.remove(id));
            throw new HostException(Errno.EFBIG, "jar upload: " + after + " bytes exceed the " + maxBytes + " a module JAR may have; upload dropped");
        }
        if (held.addAndGet(data.length) > totalBytes) {
            held.addAndGet(-data.length);
            drop(mine.remove(id));
            throw new HostException(Errno.ENOSPC, "jar upload: uploads in progress hold " + held.get() + " of " + totalBytes
                    + " bytes; upload dropped, retry later");
        }
        try (FileChannel ch = FileChannel.open(u.file(), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(data));
        } catch (IOException e) {
            held.addAndGet(-data.length);
            drop(mine.remove(id));
            throw e;
        }
        mine.put(id, new Upload(u.file(), after));
        return new long[] {id, after};
    }

    /** Reads and ends the task's upload {@code id}. @throws HostException ENOENT if there is none, ENOEXEC if it is no module JAR */
    JarContents take(Task task, long id, String origin) {
        Upload u;
        synchronized (this) {
            Map<Long, Upload> mine = byTask.get(task.id());
            u = mine == null ? null : mine.remove(id);
        }
        if (u == null) {
            throw new HostException(Errno.ENOENT, origin + ": no upload " + id + " is open on this connection");
        }
        try {
            return read(u.file(), origin);
        } finally {
            drop(u);
        }
    }

    /** A JAR sent whole in one call. */
    JarContents read(byte[] bytes, String origin) throws IOException {
        Path tmp = Files.createTempFile(stateDir, "module-", ".jar");
        try {
            Files.write(tmp, bytes);
            return read(tmp, origin);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static JarContents read(Path file, String origin) {
        try {
            return JarContents.read(file).withOrigin(origin);
        } catch (SymversException e) {
            throw new HostException(Errno.ENOEXEC, e.getMessage().replace(file.toString(), origin));
        }
    }

    /** The JAR of an insmod or sec replace: its upload if it names one, else the bytes it carries. */
    JarContents of(Task task, long upload, com.google.protobuf.ByteString inline, String origin) throws IOException {
        return upload != 0 ? take(task, upload, origin) : read(inline.toByteArray(), origin);
    }

    /** Drops every upload of a task that ended (its connection went away). */
    public void closeAll(Task task) {
        Map<Long, Upload> mine = byTask.remove(task.id());
        if (mine != null) {
            List.copyOf(mine.values()).forEach(this::drop);
        }
    }

    /** Uploads open now, over all tasks. */
    int openCount() {
        return byTask.values().stream().mapToInt(Map::size).sum();
    }

    private void drop(Upload u) {
        if (u == null) {
            return;
        }
        held.addAndGet(-u.bytes());
        try {
            Files.deleteIfExists(u.file());
        } catch (IOException ignored) {
            // a leftover in the private state directory; the next start does not read it
        }
    }

    /** The file name the caller gave, or a stand-in. */
    static String origin(String given) {
        return given.isEmpty() ? "module.jar" : given;
    }
}

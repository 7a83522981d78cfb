package dev.jdm.sweep;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The resumable state of a run, one small JSON file per set of targets under
 * {@code STATE_DIR/sweep/}. It holds the run key, so it is written with mode 0600. It is replaced
 * atomically (write, fsync, rename, fsync the directory) and only ever records data that a device
 * flush made durable, so after a crash a resume redoes at most what was in flight.
 */
public final class SweepState {
    /** Format of the file. */
    public int format = 1;
    public String runId;
    /** The AES-256 run key, base64; the keystream is regenerated from it on resume and verify. */
    public String key;
    public SweepOptions.Method method;
    public SweepOptions.Verify verify;
    public int passes;
    public boolean includeBootArea;
    public int chunkSize;
    public String started;
    /** How often this run was resumed. */
    public int resumes;
    public List<TargetState> targets = new ArrayList<>();

    /** One target's durable progress. */
    public static final class TargetState {
        public int index;
        public String name;
        public long size;
        public int blockSize;
        public boolean wholeDevice;
        public String model;
        public String serial;
        public long start;
        public long end;
        /** Index into {@link Phase#of}; equal to its size when the target is done. */
        public int phase;
        /** Next byte of the current phase to do; everything before it in this phase is durable. */
        public long position;
        public long bytesWritten;
        public long bytesVerified;
        public boolean writeZeroes;
        public long mismatches;
        public List<ErrorEntry> errors = new ArrayList<>();
        public long errorsOmitted;
    }

    /**
     * An I/O error or verify mismatch.
     *
     * @param kind the errno of an I/O error ({@code EIO}), or {@code MISMATCH}
     * @param offset first byte concerned
     */
    public record ErrorEntry(int pass, String phase, long offset, long length, String kind, String message) {}

    /** The run options this state was made with. */
    @JsonIgnore
    public SweepOptions options() {
        return new SweepOptions(method, verify, passes, includeBootArea, chunkSize);
    }

    /** The run key. */
    @JsonIgnore
    public byte[] keyBytes() {
        return Base64.getDecoder().decode(key);
    }

    /** A fresh state for a plan. */
    public static SweepState create(SweepPlan plan, byte[] key, String runId, String started) {
        SweepState s = new SweepState();
        SweepOptions o = plan.options();
        s.runId = runId;
        s.key = Base64.getEncoder().encodeToString(key);
        s.method = o.method();
        s.verify = o.verify();
        s.passes = o.passes();
        s.includeBootArea = o.includeBootArea();
        s.chunkSize = o.chunkSize();
        s.started = started;
        for (SweepPlan.Target t : plan.targets()) {
            TargetState ts = new TargetState();
            ts.index = t.index();
            ts.name = t.device().name();
            ts.size = t.device().size();
            ts.blockSize = t.device().logicalBlockSize();
            ts.wholeDevice = t.device().wholeDevice();
            ts.model = t.device().model().orElse(null);
            ts.serial = t.device().serial().orElse(null);
            ts.start = t.start();
            ts.end = t.end();
            ts.position = t.start();
            s.targets.add(ts);
        }
        return s;
    }

    /** The file of the run over these targets (in order). */
    public static Path file(Path stateDir, List<String> targetNames) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String n : targetNames) {
                md.update(n.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return stateDir.resolve("sweep").resolve("run-" + HexFormat.of().formatHex(md.digest(), 0, 8) + ".json");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a state file; ENOENT when there is none. */
    public static SweepState load(Path file) {
        try {
            return Json.MAPPER.readValue(Files.readAllBytes(file), SweepState.class);
        } catch (NoSuchFileException e) {
            throw new SweepException("ENOENT", "no interrupted sweep of these targets to resume (" + file + " does not exist)");
        } catch (IOException e) {
            throw new SweepException("EINVAL", file + ": not a readable sweep state file (" + e.getMessage() + ")");
        }
    }

    /** Replaces {@code file} with this state atomically and durably. */
    public synchronized void save(Path file) {
        try {
            Path dir = file.getParent();
            Files.createDirectories(dir);
            byte[] bytes = Json.MAPPER.writeValueAsBytes(this);
            Path tmp = dir.resolve(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // the rename itself must survive a crash
            } catch (IOException ignored) {
                // not every file system lets a directory be opened; the rename is still atomic
            }
        } catch (IOException e) {
            throw new SweepException("EIO", file + ": cannot write the sweep state (" + e.getMessage() + ")");
        }
    }
}

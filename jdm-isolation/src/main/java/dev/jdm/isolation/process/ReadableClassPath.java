package dev.jdm.isolation.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The class path a domain JVM runs from. A domain that drops to nobody must be able to reach every
 * entry: an entry below a directory closed to others (a 0700 home, a 0750 Maven repository) is
 * copied once into a world-readable directory of the launcher's, deleted on {@link #close}. The
 * copy is read-only for the domain like the original (Landlock grants it read-only).
 */
public final class ReadableClassPath implements AutoCloseable {
    private final List<Path> entries;
    private final Path copies;

    private ReadableClassPath(List<Path> entries, Path copies) {
        this.entries = entries;
        this.copies = copies;
    }

    /** @param forOthers whether the domain runs as another uid (the host is root) */
    public static ReadableClassPath of(List<Path> entries, boolean forOthers) {
        if (!forOthers || entries.stream().allMatch(ReadableClassPath::openToOthers)) {
            return new ReadableClassPath(List.copyOf(entries), null);
        }
        try {
            Path root = Files.createTempDirectory("jdm-domain-cp-");
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            List<Path> out = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                Path src = entries.get(i);
                if (openToOthers(src)) {
                    out.add(src);
                    continue;
                }
                Path dst = root.resolve(i + "-" + src.getFileName());
                try (Stream<Path> walk = Files.walk(src)) {
                    for (Path f : (Iterable<Path>) walk::iterator) {
                        Path t = dst.resolve(src.relativize(f).toString());
                        Files.copy(f, t);
                        Files.setPosixFilePermissions(t, PosixFilePermissions.fromString(Files.isDirectory(t) ? "rwxr-xr-x" : "rw-r--r--"));
                    }
                }
                out.add(dst);
            }
            return new ReadableClassPath(List.copyOf(out), root);
        } catch (IOException e) {
            throw new UncheckedIOException("copying the domain class path where an unprivileged domain can read it", e);
        }
    }

    public List<Path> entries() {
        return entries;
    }

    /** Whether the entry's directories can be searched, and the entry read, by any uid. */
    public static boolean openToOthers(Path entry) {
        try {
            if (!Files.getPosixFilePermissions(entry).contains(PosixFilePermission.OTHERS_READ)) {
                return false;
            }
            for (Path p = entry.getParent(); p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (copies == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(copies)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary copy; the next boot's tmp cleaning takes it
        }
    }
}

package dev.jdm.dde.nbdkit;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Loads a plugin's libraries when the process may not open them by path (an isolated domain):
 * each library its image needs ({@code DT_NEEDED}) that the process has not loaded is found where
 * the dynamic linker would look, read through the {@link BinarySource}, and loaded from memory
 * before the plugin, dependencies first. The plugin's own lookup then finds each by its SONAME
 * among the loaded objects and opens nothing. Such libraries stay loaded for the life of the
 * process, as the shim does.
 */
final class ImageLoader {
    /** Debian's multiarch directories, then the traditional ones, in the dynamic linker's order. */
    private static final List<Path> LIBRARY_DIRS = List.of(Path.of("/lib/x86_64-linux-gnu"), Path.of("/usr/lib/x86_64-linux-gnu"),
            Path.of("/lib64"), Path.of("/usr/lib64"), Path.of("/lib"), Path.of("/usr/lib"));

    private ImageLoader() {}

    /** Whether this process may open {@code file} itself (colocated, or a path its domain was granted). */
    static boolean openable(Path file) {
        try (FileChannel ignored = FileChannel.open(file)) {
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** Loads what {@code image} needs and this process lacks, from {@code source}. */
    static synchronized void dependencies(String what, MemorySegment image, BinarySource source) throws NbdkitException {
        dependencies(what, image, source, new HashSet<>());
    }

    private static void dependencies(String what, MemorySegment image, BinarySource source, Set<String> seen) throws NbdkitException {
        for (String lib : ElfNeeded.of(what, image)) {
            if (!seen.add(lib) || loaded(lib)) {
                continue;
            }
            Path file = find(what, lib);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment bytes = source.read(file, arena);
                dependencies(file.toString(), bytes, source, seen);
                Dl.openImage(lib, bytes, Dl.RTLD_NOW | Dl.RTLD_GLOBAL);
            } catch (Dl.DlException e) {
                throw new NbdkitException(22, what + " needs " + lib + " (" + file + "), which does not load: " + e.getMessage());
            }
        }
    }

    /** Whether an object with this SONAME is loaded already (libc is, for one). */
    private static boolean loaded(String soname) {
        try {
            Dl.open(soname, Dl.RTLD_NOW | Dl.RTLD_NOLOAD);
            return true;
        } catch (Dl.DlException e) {
            return false;
        }
    }

    private static Path find(String what, String lib) throws NbdkitException {
        if (lib.contains("/")) {
            throw new NbdkitException(22, what + " needs " + lib + " by path, which this environment does not follow");
        }
        for (Path dir : LIBRARY_DIRS) {
            Path file = dir.resolve(lib);
            if (Files.exists(file)) {
                try {
                    return file.toRealPath();
                } catch (IOException e) {
                    // a dangling link: look on
                }
            }
        }
        throw new NbdkitException(22, what + " needs " + lib + ", found in none of " + LIBRARY_DIRS);
    }
}

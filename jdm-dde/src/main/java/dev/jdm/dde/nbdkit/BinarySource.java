package dev.jdm.dde.nbdkit;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Where the environment gets a shared object it may not open by path: in an isolated domain,
 * Landlock lets it open none, so the module asks the host to grant it the file and reads it.
 */
@FunctionalInterface
public interface BinarySource {
    /**
     * @param file the object's real path
     * @return its bytes, allocated in {@code arena}
     * @throws NbdkitException naming the file if it is not granted or cannot be read
     */
    MemorySegment read(Path file, Arena arena) throws NbdkitException;
}

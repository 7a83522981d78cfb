package dev.jdm.host.calls;

import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.SymversException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A module JAR sent through the gate (insmod, sec replace), read with the same limits as one on
 * disk (entries, size, expansion ratio). It passes through a private file in the state directory
 * because the JAR reader works on files; the caller's own paths are never opened.
 */
final class JarUpload {
    private final Path stateDir;

    JarUpload(Path stateDir) {
        this.stateDir = stateDir;
    }

    /** @throws HostException ENOEXEC naming {@code origin} if it is not a readable module JAR */
    JarContents read(byte[] bytes, String origin) throws IOException {
        Path tmp = Files.createTempFile(stateDir, "module-", ".jar");
        try {
            Files.write(tmp, bytes);
            JarContents jar;
            try {
                jar = JarContents.read(tmp);
            } catch (SymversException e) {
                throw new HostException(Errno.ENOEXEC, e.getMessage().replace(tmp.toString(), origin));
            }
            return jar.withOrigin(origin);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The file name the caller gave, or a stand-in. */
    static String origin(String given) {
        return given.isEmpty() ? "module.jar" : given;
    }
}

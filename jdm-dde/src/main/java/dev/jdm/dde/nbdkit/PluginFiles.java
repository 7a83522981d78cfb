package dev.jdm.dde.nbdkit;

import dev.jdm.abi.blk.BlockStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** Where a plugin named on a command line lives, as {@code nbdkit NAME} finds it. */
final class PluginFiles {
    /** Debian's nbdkit plugindir ({@code nbdkit --dump-config}); {@code dde.nbdkit.plugindir} overrides it. */
    static final Path PLUGIN_DIR = Path.of(System.getProperty("dde.nbdkit.plugindir", "/usr/lib/x86_64-linux-gnu/nbdkit/plugins"));
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_-]*");

    private PluginFiles() {}

    /**
     * A short name ({@code memory}) is looked up in the plugin directory; anything with a slash or
     * ending in {@code .so} is a path. The file must exist; its real path is returned.
     */
    static Path resolve(String nameOrPath) throws NbdkitException {
        Path file;
        if (nameOrPath.contains("/") || nameOrPath.endsWith(".so")) {
            file = Path.of(nameOrPath);
        } else if (NAME.matcher(nameOrPath).matches()) {
            file = PLUGIN_DIR.resolve("nbdkit-" + nameOrPath + "-plugin.so");
            if (!Files.exists(file)) {
                throw new NbdkitException(BlockStatus.EINVAL, "no nbdkit plugin named '" + nameOrPath + "' (looked for " + file + ")");
            }
        } else {
            throw new NbdkitException(BlockStatus.EINVAL, "'" + nameOrPath + "' is neither an nbdkit plugin name (letters, digits, '-' and '_') nor a path to a .so");
        }
        return real(file);
    }

    /**
     * The file's real path; it must exist. A path this process may not even look up (a directory
     * of another uid, seen from an isolated domain) is taken as given: whoever grants the file
     * resolves it then.
     */
    static Path real(Path file) throws NbdkitException {
        try {
            return file.toRealPath();
        } catch (java.nio.file.AccessDeniedException e) {
            return file.toAbsolutePath().normalize();
        } catch (IOException e) {
            throw new NbdkitException(BlockStatus.EINVAL, "cannot load nbdkit plugin " + file + ": no such file");
        }
    }
}

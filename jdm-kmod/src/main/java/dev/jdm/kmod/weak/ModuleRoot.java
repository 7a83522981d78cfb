package dev.jdm.kmod.weak;

import dev.jdm.kmod.KmodException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The file system that holds the kernels: {@code /} or the directory given with {@code -b}.
 * Paths inside it that the system itself wrote as absolute (the {@code build} link of a module
 * directory, links made by RHEL's weak-modules) are read relative to this root, the way the
 * installed system would see them.
 */
public record ModuleRoot(Path dir) {

    public ModuleRoot {
        dir = dir.toAbsolutePath().normalize();
        try {
            dir = dir.toRealPath();
        } catch (IOException missing) {
            // kept as given; kernels() names it when it is looked into
        }
    }

    /** {@code ROOT/lib/modules}, its links resolved (with merged /usr it is {@code ROOT/usr/lib/modules}). */
    public Path modulesDir() {
        Path m = dir.resolve("lib/modules");
        try {
            return m.toRealPath();
        } catch (IOException missing) {
            return m; // kernels() names it
        }
    }

    public InstalledKernel kernel(String release) {
        return new InstalledKernel(this, release);
    }

    /** Every directory under lib/modules, newest release first (RHEL's weak-modules sorts them rpm-style). */
    public List<InstalledKernel> kernels() throws KmodException {
        List<InstalledKernel> out = new ArrayList<>();
        if (!Files.isDirectory(modulesDir())) {
            throw KmodException.in(modulesDir(), "no kernels installed here (the directory does not exist)");
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(modulesDir(), Files::isDirectory)) {
            ds.forEach(p -> out.add(kernel(p.getFileName().toString())));
        } catch (IOException e) {
            throw KmodException.in(modulesDir(), "cannot list the installed kernels: " + e.getMessage(), e);
        }
        out.sort((a, b) -> Releases.ORDER.compare(b.release(), a.release()));
        return out;
    }

    /** An absolute path as the installed system means it: {@code /usr/src/x} is {@code ROOT/usr/src/x}. */
    public Path inside(Path absolute) {
        if (!absolute.isAbsolute() || absolute.startsWith(dir)) {
            return absolute;
        }
        return dir.resolve(absolute.toString().substring(1)).normalize();
    }

    /**
     * A module path with its directories' links resolved, so that {@code /usr/lib/modules/…} and
     * {@code /lib/modules/…} (merged /usr) name the same file. The file itself may be gone, as
     * after a package removal; its link, if it is one, is not followed.
     */
    public Path canonical(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        try {
            return parent == null ? abs : parent.toRealPath().resolve(abs.getFileName());
        } catch (IOException missingDirectory) {
            return abs;
        }
    }

    /** Where a symbolic link points, read inside this root; empty when {@code link} is no link. */
    public Optional<Path> target(Path link) throws KmodException {
        if (!Files.isSymbolicLink(link)) {
            return Optional.empty();
        }
        try {
            Path t = Files.readSymbolicLink(link);
            return Optional.of(canonical(t.isAbsolute() ? inside(t) : link.getParent().resolve(t)));
        } catch (IOException e) {
            throw KmodException.in(link, "cannot read the link: " + e.getMessage(), e);
        }
    }

    /** The path relative to the root, for messages and the JSON report ("lib/modules/…"). */
    public String relative(Path p) {
        return p.startsWith(dir) ? dir.relativize(p).toString() : p.toString();
    }
}

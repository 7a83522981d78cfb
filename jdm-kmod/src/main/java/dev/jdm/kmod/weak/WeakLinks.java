package dev.jdm.kmod.weak;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.io.Compression;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Reads what a kernel's weak-updates directory holds. */
final class WeakLinks {
    private WeakLinks() {
    }

    /**
     * The module links in {@code weak-updates/}, sorted. A link whose module is gone is refused
     * with one error naming it and the way out, because RHEL's weak-modules would silently keep
     * it and depmod skips it: the kernel would then lack a module nobody chose to remove (unless
     * {@code mayDangle} says the module is being removed anyway). Files
     * that are not links are left alone (they are not ours), and reported in {@code foreign}.
     */
    static List<WeakLink> scan(ModuleRoot root, InstalledKernel kernel, Predicate<Path> mayDangle, List<String> foreign)
            throws KmodException {
        Path dir = kernel.weakUpdatesDir();
        List<WeakLink> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        List<Path> entries;
        try (Stream<Path> walk = Files.walk(dir)) {
            entries = walk.filter(p -> Compression.extensionLength(p.getFileName().toString()) > 0).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            throw KmodException.in(dir, "cannot list: " + e.getMessage());
        }
        for (Path p : entries) {
            var target = root.target(p);
            if (target.isEmpty()) {
                if (Files.isRegularFile(p)) {
                    foreign.add(p + " is a file, not a link; left alone");
                }
                continue;
            }
            if (!Files.isRegularFile(target.get()) && !mayDangle.test(target.get())) {
                throw KmodException.in(p, "dangling link: " + target.get() + " does not exist; remove it with"
                        + " `jdm kmod weak-updates --remove-modules " + target.get() + "`");
            }
            out.add(new WeakLink(p, target.get()));
        }
        return out;
    }
}

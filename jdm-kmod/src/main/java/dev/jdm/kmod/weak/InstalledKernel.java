package dev.jdm.kmod.weak;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.io.Compression;
import dev.jdm.kmod.io.ModuleFile;
import dev.jdm.kmod.modinfo.ModInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** One kernel under {@code ROOT/lib/modules/RELEASE}: where its symvers, vermagic and weak-updates are. */
public record InstalledKernel(ModuleRoot root, String release) {
    /** Directories of a module tree that hold modules installed for this kernel from outside it. */
    static final List<String> OWN_UPDATE_DIRS = List.of("updates", "extra");
    /**
     * The kernel's own modules in the order RHEL's depmod.d (dist.conf) searches them, all before
     * weak-updates: {@code search updates extra built-in weak-updates}.
     */
    static final List<String> OWN_DIRS = List.of("updates", "extra", "kernel");

    public Path moduleDir() {
        return root.modulesDir().resolve(release);
    }

    public Path weakUpdatesDir() {
        return moduleDir().resolve("weak-updates");
    }

    public boolean installed() {
        return Files.isDirectory(moduleDir());
    }

    /** True while the kernel's own modules ({@code kernel/}) are installed. */
    public boolean hasOwnTree() {
        return Files.isDirectory(moduleDir().resolve("kernel"));
    }

    /** Fails with one line naming the directory when the kernel's modules are not there. */
    public InstalledKernel requireInstalled() throws KmodException {
        if (!installed()) {
            throw KmodException.in(release, "kernel is not installed (no " + moduleDir() + ")");
        }
        return this;
    }

    /**
     * Where the kernel's exports are listed, in the order looked at: {@code /boot/symvers-KVER.gz}
     * (RHEL and SUSE ship it; RHEL's weak-modules counts a kernel as installed only when it is
     * there), then {@code Module.symvers} of the headers, through the module directory's
     * {@code build} link or at Debian's {@code /usr/src/linux-headers-KVER}.
     */
    public List<Path> symversCandidates() {
        Path build = moduleDir().resolve("build");
        Path viaBuild = build.resolve("Module.symvers");
        try {
            Optional<Path> t = root.target(build);
            if (t.isPresent()) {
                viaBuild = t.get().resolve("Module.symvers");
            }
        } catch (KmodException unreadableLink) {
            // the plain path is listed instead; it will not be found, and the message names it
        }
        return List.of(root.dir().resolve("boot/symvers-" + release + ".gz"), viaBuild,
                root.dir().resolve("usr/src/linux-headers-" + release + "/Module.symvers"));
    }

    public Optional<Path> symvers() {
        return symversCandidates().stream().filter(Files::isRegularFile).findFirst();
    }

    public Path requireSymvers() throws KmodException {
        return symvers().orElseThrow(() -> KmodException.in(release, "no symvers for this kernel (looked for "
                + String.join(", ", symversCandidates().stream().map(Path::toString).toList())
                + "); install its headers package or its symvers file"));
    }

    /**
     * The kernel's vermagic, read from the first module of its own tree ({@code kernel/}); empty
     * when it ships none. The loader compares it in {@code same_magic()}.
     */
    public Optional<String> vermagic() throws KmodException {
        Path kernelDir = moduleDir().resolve("kernel");
        if (!Files.isDirectory(kernelDir)) {
            return Optional.empty();
        }
        Optional<Path> first;
        try (Stream<Path> walk = Files.walk(kernelDir)) {
            first = walk.filter(p -> Compression.extensionLength(p.getFileName().toString()) > 0 && Files.isRegularFile(p))
                    .findFirst();
        } catch (IOException | UncheckedIOException e) {
            throw KmodException.in(kernelDir, "cannot list the module tree: " + e.getMessage());
        }
        if (first.isEmpty()) {
            return Optional.empty();
        }
        ModuleFile f = ModuleFile.open(first.get());
        return ModInfo.of(f, f.elf()).value("vermagic");
    }

    /** Module files (real files, not links) in {@code updates/} and {@code extra/}, sorted. */
    public List<Path> ownUpdateModules() throws KmodException {
        return modulesUnder(OWN_UPDATE_DIRS.stream().map(moduleDir()::resolve).toList());
    }

    /** Every module file the kernel ships itself, in precedence order ({@link #OWN_DIRS}). */
    public List<Path> ownModules() throws KmodException {
        return modulesUnder(OWN_DIRS.stream().map(moduleDir()::resolve).toList());
    }

    static List<Path> modulesUnder(List<Path> dirs) throws KmodException {
        List<Path> out = new java.util.ArrayList<>();
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(d)) {
                walk.filter(p -> Compression.extensionLength(p.getFileName().toString()) > 0
                        && Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).sorted().forEachOrdered(out::add);
            } catch (IOException | UncheckedIOException e) {
                throw KmodException.in(d, "cannot list modules: " + e.getMessage());
            }
        }
        return out;
    }
}

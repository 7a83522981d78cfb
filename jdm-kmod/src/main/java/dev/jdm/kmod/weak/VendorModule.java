package dev.jdm.kmod.weak;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.io.ModuleFile;
import dev.jdm.kmod.modinfo.ModInfo;
import dev.jdm.kmod.modinfo.ModuleNames;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A module that is (or may be) linked into other kernels' weak-updates.
 *
 * @param file        the module file (absolute, normalised)
 * @param name        its module name
 * @param kernel      the kernel it was built for
 * @param weakSubpath where it goes below {@code weak-updates/}
 */
public record VendorModule(Path file, String name, String kernel, String weakSubpath) {

    /**
     * Opens a module given on the command line or found in a tree. Like RHEL's weak-modules,
     * the kernel it belongs to is the one whose {@code lib/modules/KVER/} holds it, else the
     * release in its vermagic; and its place in weak-updates is its path below the first
     * directory of that tree ({@code extra/foo/bar.ko} → {@code weak-updates/foo/bar.ko}), or its
     * path from the root when it lives outside {@code lib/modules}.
     */
    public static VendorModule open(ModuleRoot root, Path given) throws KmodException {
        Path file = root.canonical(given);
        if (Files.isSymbolicLink(file) && !Files.exists(file)) {
            throw KmodException.in(file, "dangling link (it points to " + readLink(file) + ", which does not exist)");
        }
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw KmodException.in(file, "no such file");
        }
        ModuleFile mf = ModuleFile.open(file);
        ModInfo info = ModInfo.of(mf, mf.elf()); // refuses a file that is not ELF, naming it
        String name = ModuleNames.fromPath(file.toString());
        if (file.startsWith(root.modulesDir()) && root.modulesDir().relativize(file).getNameCount() >= 3) {
            Path rel = root.modulesDir().relativize(file);
            return new VendorModule(file, name, rel.getName(0).toString(), rel.subpath(2, rel.getNameCount()).toString());
        }
        String vermagic = info.value("vermagic").orElseThrow(() -> KmodException.in(file,
                "no vermagic in .modinfo, so the kernel it was built for is unknown; install it under lib/modules/KVER/extra/"));
        String kernel = vermagic.strip().split(" ", 2)[0];
        return new VendorModule(file, name, kernel, root.relative(file).replaceFirst("^/", ""));
    }

    private static String readLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    /** The file name, as messages show it. */
    public String fileName() {
        return file.getFileName().toString();
    }
}

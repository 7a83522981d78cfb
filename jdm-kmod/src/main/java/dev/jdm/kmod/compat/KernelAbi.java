package dev.jdm.kmod.compat;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.io.Compression;
import dev.jdm.kmod.io.ModuleFile;
import dev.jdm.kmod.modinfo.ModInfo;
import dev.jdm.kmod.symbols.ExportedSymbol;
import dev.jdm.kmod.symbols.Exports;
import dev.jdm.kmod.symbols.Symvers;
import dev.jdm.kmod.symbols.SymversEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a target kernel exports: its Module.symvers, optionally completed with the exports of
 * the modules in its module tree, and its vermagic when a module tree shows it.
 */
public final class KernelAbi {
    private final Symvers symvers;
    private final Optional<String> vermagic;

    private KernelAbi(Symvers symvers, Optional<String> vermagic) {
        this.symvers = symvers;
        this.vermagic = vermagic;
    }

    public static KernelAbi of(Symvers symvers) {
        return new KernelAbi(symvers, Optional.empty());
    }

    /** A kernel whose vermagic is known from elsewhere (one module of its tree, say). */
    public static KernelAbi of(Symvers symvers, Optional<String> vermagic) {
        return new KernelAbi(symvers, vermagic);
    }

    /**
     * {@code against} is a Module.symvers (plain or .gz), or a directory: a kernel build or
     * headers tree holding Module.symvers, or a {@code /lib/modules/KVER} tree (its
     * {@code build/Module.symvers} is used, and every module's exports are added).
     */
    public static KernelAbi load(Path against) throws KmodException {
        if (!Files.isDirectory(against)) {
            return of(Symvers.read(against));
        }
        Path symversFile = Stream.of("Module.symvers", "build/Module.symvers", "symvers.gz")
                .map(against::resolve).filter(Files::isRegularFile).findFirst().orElse(null);
        Symvers symvers = symversFile != null ? Symvers.read(symversFile) : new Symvers(against.toString());
        Optional<String> vermagic = Optional.empty();
        List<Path> modules = List.of();
        if (Files.isDirectory(against.resolve("kernel"))) {
            try (Stream<Path> walk = Files.walk(against.resolve("kernel"))) {
                modules = walk.filter(p -> Compression.extensionLength(p.getFileName().toString()) > 0).sorted().toList();
            } catch (IOException | java.io.UncheckedIOException e) {
                throw KmodException.in(against, "cannot list the module tree: " + e.getMessage());
            }
        }
        for (Path m : modules) {
            ModuleFile file = ModuleFile.open(m);
            var elf = file.elf();
            String rel = against.relativize(m).toString();
            rel = rel.substring(0, rel.length() - Compression.extensionLength(rel));
            for (ExportedSymbol e : Exports.read(elf)) {
                if (symvers.get(e.symbol()) == null) {
                    symvers.add(new SymversEntry(e.symbol(), e.crc(), rel, e.gplOnly(), e.namespace()));
                }
            }
            if (vermagic.isEmpty()) {
                vermagic = ModInfo.of(file, elf).value("vermagic");
            }
        }
        if (symversFile == null && modules.isEmpty()) {
            throw KmodException.in(against, "neither a Module.symvers nor a module tree (kernel/) was found here");
        }
        return new KernelAbi(symvers, vermagic);
    }

    public Symvers symvers() {
        return symvers;
    }

    public Optional<String> vermagic() {
        return vermagic;
    }
}

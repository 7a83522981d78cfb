package dev.jdm.cli;

import dev.jdm.symvers.AbiModel;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.ModInfo;
import dev.jdm.symvers.SymbolTable;
import dev.jdm.symvers.SymversException;
import dev.jdm.symvers.stability.AbiDiff;
import dev.jdm.symvers.stability.Baseline;
import dev.jdm.symvers.stability.Generation;
import dev.jdm.symvers.stability.ReleasedAbi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the offline {@code jdm abi} commands find their tables: generations, baseline files, ABI and module JARs. */
final class AbiTables {
    private AbiTables() {}

    /** The ABI this jdm was built with, and what it promises. */
    static ReleasedAbi classPath() {
        try {
            return ReleasedAbi.of(AbiModel.fromClassPath());
        } catch (SymversException e) {
            throw new CliException(CliException.USAGE, e.getMessage());
        }
    }

    /** An ABI build from a JAR or class directory, or this jdm's own if {@code jar} is null. */
    static ReleasedAbi load(Path jar) {
        if (jar == null) {
            return classPath();
        }
        try {
            return ReleasedAbi.of(AbiModel.load(jar));
        } catch (SymversException e) {
            throw new CliException(CliException.USAGE, e.getMessage());
        }
    }

    /** A generation named on the command line, or a usage error saying what the form is. */
    static Generation parseGeneration(String text) {
        try {
            return Generation.parse(text);
        } catch (SymversException e) {
            throw new CliException(CliException.USAGE, e.getMessage());
        }
    }

    /** The table of a generation as {@code abi} knows it: a released baseline, or its own current one. */
    static Baseline generation(ReleasedAbi abi, Generation g) {
        return abi.baseline(g).orElseGet(() -> {
            if (!g.equals(abi.current())) {
                throw new CliException(CliException.USAGE, g + " is not a generation this ABI knows (released: "
                        + abi.baselines().stream().map(b -> b.generation().toString()).toList() + ", current: " + abi.current() + ")");
            }
            return Baseline.of(abi.abi(), g, abi::since);
        });
    }

    /**
     * One side of a diff: a generation name ({@code JDM_1.0}), {@code current}, a baseline file
     * ({@code .symvers}), an ABI JAR, or a module JAR (what it was built against).
     */
    static AbiDiff.Table table(String arg, ReleasedAbi here) {
        if (arg.equals("current")) {
            return AbiDiff.Table.of(generation(here, here.current()));
        }
        if (arg.startsWith("JDM_") && !Files.exists(Path.of(arg))) {
            return AbiDiff.Table.of(generation(here, parseGeneration(arg)));
        }
        Path path = Path.of(arg);
        try {
            if (arg.endsWith(".symvers")) {
                return AbiDiff.Table.of(Baseline.parse(readFile(path), arg));
            }
            JarContents jar = JarContents.read(path);
            byte[] modinfo = jar.metadata().get("modinfo");
            if (modinfo != null) {
                String name = ModInfo.parse(modinfo, arg).name();
                byte[] versions = jar.metadata().get("versions");
                if (versions == null) {
                    throw new CliException(CliException.USAGE, arg + ": module " + name + " has no META-INF/jdm/versions; rebuild it with modpost");
                }
                return AbiDiff.Table.ofModule(name, SymbolTable.parse(versions, arg + "!META-INF/jdm/versions"));
            }
            ReleasedAbi other = ReleasedAbi.of(AbiModel.from(jar));
            return AbiDiff.Table.of(generation(other, other.current()));
        } catch (SymversException e) {
            throw new CliException(CliException.USAGE, e.getMessage());
        }
    }

    /** A file's bytes, or a usage error with the system's reason. */
    static byte[] readFile(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw CliException.unreadable(path, e);
        }
    }

    /** The tree's baseline directory: {@code --baselines}, else {@code jdm-abi/baselines} of the checkout. */
    static Path baselines(Path option) {
        if (option != null) {
            return option;
        }
        String home = System.getProperty("jdm.home");
        if (home == null) {
            throw new CliException(CliException.USAGE, "no jdm checkout known (run through ./jdm) and no --baselines DIR given");
        }
        return Path.of(home, "jdm-abi", "baselines");
    }
}

package dev.jdm.hw;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The fixture sysfs tree and pci.ids under src/test/resources, read where they lie (the build sets
 * {@code jdm.hw.fixtures}): copied to target/, the tree's symlinks would become directories.
 */
public final class Fixtures {
    public static final Path DIR = Path.of(System.getProperty("jdm.hw.fixtures", "src/test/resources")).toAbsolutePath();
    public static final Path SYSFS = DIR.resolve("sysfs");
    public static final Path PCI_IDS = DIR.resolve("pci.ids");

    private Fixtures() {
    }

    /** An expected listing's lines. */
    public static List<String> expected(String name) throws IOException {
        return Files.readAllLines(DIR.resolve("expected").resolve(name));
    }

    /** A device directory of the fixture tree. */
    public static Path device(String address) {
        return SYSFS.resolve("bus/pci/devices").resolve(address);
    }

    /**
     * A copy of one fixture device in a tree of its own under {@code root}, to be spoilt by a test;
     * links are copied as links.
     */
    public static Path copyDevice(String address, Path root) throws IOException {
        Path from = device(address);
        Path to = Files.createDirectories(root.resolve("bus/pci/devices").resolve(address));
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (Files.isSymbolicLink(f)) {
                    Files.createSymbolicLink(to.resolve(f.getFileName()), Files.readSymbolicLink(f));
                } else {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
        return to;
    }
}

package dev.jdm.hw.pci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A device directory's attribute files as the kernel writes them: one value and a newline, hex with
 * {@code 0x} for IDs and classes, decimal for {@code irq} and {@code numa_node}. A file that is
 * there but not in that form is an error naming it, never a guess.
 */
final class Attributes {
    private final Path dir;

    Attributes(Path dir) {
        this.dir = dir;
    }

    /** A hex attribute that must be there, of at most {@code bits} bits. */
    int hex(String name, int bits) {
        return optionalHex(name, bits).orElseThrow(() -> new SysfsException(dir.resolve(name), "missing (every PCI device has one)"));
    }

    Optional<Integer> optionalHex(String name, int bits) {
        return text(name).map(t -> {
            String digits = t.startsWith("0x") || t.startsWith("0X") ? t.substring(2) : null;
            long v;
            try {
                v = digits == null || digits.isEmpty() || digits.length() > 8 ? -1 : Long.parseLong(digits, 16);
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (v < 0 || v >>> bits != 0) {
                throw new SysfsException(dir.resolve(name), "'" + t + "' is not a " + bits + "-bit hex number such as 0x" + "0".repeat(bits / 4));
            }
            return (int) v;
        });
    }

    Optional<Integer> optionalDecimal(String name) {
        return text(name).map(t -> {
            try {
                return Integer.parseInt(t);
            } catch (NumberFormatException e) {
                throw new SysfsException(dir.resolve(name), "'" + t + "' is not a decimal number");
            }
        });
    }

    /** The file's content without its newline, or empty when there is no such file. */
    Optional<String> text(String name) {
        Path file = dir.resolve(name);
        try {
            return Optional.of(Files.readString(file).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new SysfsException(file, "cannot read (" + e.getMessage() + ")");
        }
    }

    /**
     * The last name in a symlink's target ({@code driver} → {@code ../../../bus/pci/drivers/virtio-pci}),
     * or empty when there is no such link. A plain file or directory in its place is an error: sysfs
     * says these things only with links.
     */
    Optional<String> linkName(String name) {
        Path link = dir.resolve(name);
        if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        if (!Files.isSymbolicLink(link)) {
            throw new SysfsException(link, "is not a symbolic link (sysfs names the " + name + " by a link)");
        }
        try {
            Path target = Files.readSymbolicLink(link).getFileName();
            return Optional.ofNullable(target).map(Path::toString);
        } catch (IOException e) {
            throw new SysfsException(link, "cannot read the link (" + e.getMessage() + ")");
        }
    }
}

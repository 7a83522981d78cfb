package dev.jdm.hw.pci;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The PCI devices under a sysfs tree: {@code /sys} on a live machine, or a fixture directory laid
 * out the same way. Only the kernel's attribute files are read, never the devices themselves, and
 * nothing is ever written.
 *
 * <p>{@code vendor}, {@code device} and {@code class} are what make a directory a PCI device: one
 * without them, or with them in another form, is an error naming the file rather than a line
 * guessed at. The rest is optional and left out when missing, as lspci leaves it out.
 */
public final class SysfsPci {
    private final Path root;

    /** The tree whose {@code bus/pci/devices} to read; {@code /sys} for this machine's. */
    public SysfsPci(Path root) {
        this.root = root;
    }

    /** This machine's. */
    public static SysfsPci live() {
        return new SysfsPci(Path.of("/sys"));
    }

    /** {@code <root>/bus/pci/devices}. */
    public Path devicesDir() {
        return root.resolve("bus/pci/devices");
    }

    /**
     * Every device, in lspci's order (domain, bus, device, function).
     *
     * @throws SysfsException when the tree has no {@code bus/pci/devices}, or a device's files are wrong
     */
    public List<PciDevice> devices() {
        Path dir = devicesDir();
        List<PciDevice> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                out.add(read(entry));
            }
        } catch (NoSuchFileException e) {
            throw new SysfsException(dir, "no such directory (is " + root + " a sysfs tree?)");
        } catch (IOException e) {
            throw new SysfsException(dir, "cannot list (" + e.getMessage() + ")");
        }
        out.sort((a, b) -> a.address().compareTo(b.address()));
        return out;
    }

    /** One device's directory; its name is its address. */
    public PciDevice read(Path deviceDir) {
        PciAddress address;
        try {
            address = PciAddress.parse(deviceDir.getFileName().toString());
        } catch (IllegalArgumentException e) {
            throw new SysfsException(deviceDir, "the name is not a PCI address (" + e.getMessage() + ")");
        }
        Attributes a = new Attributes(deviceDir);
        int vendor = a.hex("vendor", 16);
        int device = a.hex("device", 16);
        PciClass pciClass = PciClass.of(a.hex("class", 24));
        Optional<ConfigSpace> config = config(deviceDir.resolve("config"));
        Optional<PciDevice.Subsystem> subsystem = a.optionalHex("subsystem_vendor", 16)
                .map(v -> new PciDevice.Subsystem(v, a.optionalHex("subsystem_device", 16).orElse(0)));
        OptionalInt revision = a.optionalHex("revision", 8).map(OptionalInt::of)
                .orElseGet(() -> config.filter(c -> c.has(ConfigSpace.REVISION, 1)).map(c -> OptionalInt.of(c.u8(ConfigSpace.REVISION)))
                        .orElse(OptionalInt.empty()));
        List<Bar> resources = a.text("resource").map(t -> ResourceFile.parse(deviceDir.resolve("resource"), t)).orElse(List.of());
        return new PciDevice(address, vendor, device, subsystem, pciClass, revision, a.optionalDecimal("irq").orElse(0),
                a.optionalDecimal("numa_node").orElse(-1), a.linkName("iommu_group"), resources, a.linkName("driver"),
                a.text("modalias"), config);
    }

    /** Config space when readable; a device whose config cannot be read is still listed, as lspci lists it. */
    private static Optional<ConfigSpace> config(Path file) {
        try {
            return Optional.of(ConfigSpace.read(file));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}

package dev.jdm.hw.ids;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * The pci.ids database (https://pci-ids.ucw.cz): names for vendors, devices, subsystems, and the
 * {@code C} section's classes, subclasses and programming interfaces. Lookups answer empty for an
 * ID it does not know; how an unknown ID is then shown is the formatter's business, as in libpci.
 */
public final class PciIds {
    /** Where Debian's {@code pci.ids} package and Fedora's {@code hwdata} put it, in the order lspci tries. */
    public static final List<Path> DEFAULT_PATHS = List.of(Path.of("/usr/share/misc/pci.ids"), Path.of("/usr/share/hwdata/pci.ids"));

    private static final PciIds EMPTY = new PciIds(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

    private final Map<Integer, String> vendors;
    private final Map<Integer, String> devices;
    private final Map<Long, String> subsystems;
    private final Map<Integer, String> genericSubsystems;
    private final Map<Integer, String> classes;
    private final Map<Integer, String> subclasses;
    private final Map<Integer, String> progIfs;

    PciIds(Map<Integer, String> vendors, Map<Integer, String> devices, Map<Long, String> subsystems, Map<Integer, String> genericSubsystems,
            Map<Integer, String> classes, Map<Integer, String> subclasses, Map<Integer, String> progIfs) {
        this.vendors = Map.copyOf(vendors);
        this.devices = Map.copyOf(devices);
        this.subsystems = Map.copyOf(subsystems);
        this.genericSubsystems = Map.copyOf(genericSubsystems);
        this.classes = Map.copyOf(classes);
        this.subclasses = Map.copyOf(subclasses);
        this.progIfs = Map.copyOf(progIfs);
    }

    /** No names at all: every ID shows as a number. */
    public static PciIds empty() {
        return EMPTY;
    }

    /** The first of {@link #DEFAULT_PATHS} that exists. */
    public static Optional<Path> locate() {
        return DEFAULT_PATHS.stream().filter(Files::isRegularFile).findFirst();
    }

    /**
     * Reads {@code file}; a name ending in {@code .gz} is gunzipped first, as some distributions ship it.
     *
     * @throws IOException           when it cannot be read
     * @throws PciIdsFormatException when a line is not in the database's syntax (file and line named)
     */
    public static PciIds load(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return new PciIdsParser(file.toString()).parse(reader);
        }
    }

    /** Parses the database from text; {@code source} names it in errors. */
    public static PciIds parse(String source, String text) {
        try {
            return new PciIdsParser(source).parse(new BufferedReader(new java.io.StringReader(text)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public Optional<String> vendor(int vendor) {
        return Optional.ofNullable(vendors.get(vendor));
    }

    public Optional<String> device(int vendor, int device) {
        return Optional.ofNullable(devices.get(vendor << 16 | device));
    }

    /**
     * A subsystem's name: the entry under the device itself, else the database's generic one for
     * that subsystem vendor and device ({@code S} blocks), else the device's own name when the
     * subsystem IDs repeat the device's, as libpci resolves it.
     */
    public Optional<String> subsystem(int vendor, int device, int subVendor, int subDevice) {
        String name = subsystems.get(subsystemKey(vendor, device, subVendor, subDevice));
        if (name == null) {
            name = genericSubsystems.get(subVendor << 16 | subDevice);
        }
        if (name == null && vendor == subVendor && device == subDevice) {
            name = devices.get(vendor << 16 | device);
        }
        return Optional.ofNullable(name);
    }

    public Optional<String> baseClass(int base) {
        return Optional.ofNullable(classes.get(base));
    }

    public Optional<String> subclass(int base, int sub) {
        return Optional.ofNullable(subclasses.get(base << 8 | sub));
    }

    public Optional<String> progIf(int base, int sub, int progIf) {
        return Optional.ofNullable(progIfs.get(base << 16 | sub << 8 | progIf));
    }

    /** How many vendors it names; a quick check that a file was the database at all. */
    public int vendorCount() {
        return vendors.size();
    }

    static long subsystemKey(int vendor, int device, int subVendor, int subDevice) {
        return (long) (vendor << 16 | device) << 32 | Integer.toUnsignedLong(subVendor << 16 | subDevice);
    }
}

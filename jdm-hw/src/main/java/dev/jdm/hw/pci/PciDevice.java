package dev.jdm.hw.pci;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One PCI function as the kernel shows it in sysfs ({@code <root>/bus/pci/devices/<address>/}).
 *
 * @param subsystem    {@code subsystem_vendor} and {@code subsystem_device}, when sysfs has them
 * @param revision     {@code revision}, or config space byte 8 when that file is missing
 * @param irq          {@code irq}: the legacy line, 0 for none (a device on MSI-X alone)
 * @param numaNode     {@code numa_node}, -1 when the machine has no NUMA or says nothing
 * @param iommuGroup   the name {@code iommu_group} links to, when the device sits behind an IOMMU
 * @param resources    every line of {@code resource} (BARs 0 to 5, the ROM, then any windows)
 * @param driver       the name of the driver {@code driver} links to, when one is bound
 * @param modalias     {@code modalias} as the kernel wrote it, when present
 * @param config       {@code config}, read-only, when readable
 */
public record PciDevice(PciAddress address, int vendor, int device, Optional<Subsystem> subsystem, PciClass pciClass,
        OptionalInt revision, int irq, int numaNode, Optional<String> iommuGroup, List<Bar> resources, Optional<String> driver,
        Optional<String> modalias, Optional<ConfigSpace> config) {

    /** Who built the board or card around the chip, and its number for it. */
    public record Subsystem(int vendor, int device) {
    }

    public PciDevice {
        resources = List.copyOf(resources);
    }

    /** The six base address registers that have something in them, in order. */
    public List<Bar> bars() {
        return resources.stream().filter(b -> b.index() < Bar.ROM && b.present()).toList();
    }

    /** The expansion ROM's window, when the file has its line. */
    public Optional<Bar> rom() {
        return resources.stream().filter(b -> b.index() == Bar.ROM).findFirst();
    }
}

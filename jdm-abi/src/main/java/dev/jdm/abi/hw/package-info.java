/**
 * The hardware ABI: PCI devices matched by ID tables, bound by probe and remove, and reached only
 * through what the host's I/O server grants the bound driver: config space, MMIO and port I/O
 * windows, interrupt vectors and DMA memory with bus addresses.
 *
 * <p>A driver declares what it binds with {@link dev.jdm.abi.hw.PciId} on its module class. The
 * build turns each into a module alias in Linux's modalias format, so {@code jdm modprobe} loads the
 * module when a matching device appears, and the host binds with the same table.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>{@link dev.jdm.abi.hw.HwDriver#probe} runs once per matching device: inside
 *       {@code register()} for the devices present, and as a device is plugged for later ones; {@link dev.jdm.abi.hw.HwBinding#remove()} runs exactly once per successful probe:
 *       on unplug, on unregister, or when the module goes.
 *   <li>An access outside a window, misaligned, or into a range the host keeps for itself (the
 *       MSI-X table) throws {@link dev.jdm.abi.hw.HwException} with EFAULT before it reaches the
 *       device, and is logged under the module's name.
 *   <li>After a device is removed, register reads return all ones and writes are dropped, as a
 *       PCI master abort does; the driver fails its outstanding requests in {@code remove()}.
 *   <li>A device reaches DMA memory only inside buffers its driver allocated from
 *       {@link dev.jdm.abi.hw.HwDevice#dma()}, as through an IOMMU.
 * </ul>
 */
package dev.jdm.abi.hw;

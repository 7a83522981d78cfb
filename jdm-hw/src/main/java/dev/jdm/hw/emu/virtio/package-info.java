/**
 * An emulated virtio-blk function over virtio-pci (OASIS virtio 1.2: §4.1 the PCI transport, §2.7
 * split virtqueues, §5.2 the block device), laid out as the virtio-blk function of these machines.
 * {@link dev.jdm.hw.emu.virtio.VirtioBlkDevice} is the only public type; docs/hw/virtio-blk.md says
 * what is emulated and what is not.
 */
package dev.jdm.hw.emu.virtio;

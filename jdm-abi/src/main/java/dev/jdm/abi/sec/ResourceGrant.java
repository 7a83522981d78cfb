package dev.jdm.abi.sec;

import dev.jdm.abi.Provided;

/**
 * The object of {@code resource_grant}: the I/O server is about to give a domain a resource.
 *
 * @param domain the receiving domain
 * @param kind {@code mmio}, {@code ioport}, {@code irq}, {@code pci}, {@code file} or {@code dma}
 * @param resource what exactly, e.g. a PCI address or a file path
 * @param start first address, port or line (0 if not applicable)
 * @param length size of the range (0 if not applicable)
 */
@Provided
public record ResourceGrant(String domain, String kind, String resource, long start, long length) {}

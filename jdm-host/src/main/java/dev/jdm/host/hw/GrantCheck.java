package dev.jdm.host.hw;

/**
 * The security stack's {@code resource_grant} as the board asks it, before a driver gets a device
 * (kind {@code pci}), a window ({@code mmio}, {@code ioport}), a vector ({@code irq}) or DMA
 * ({@code dma}). A refusal is any exception; the board turns it, and an error in the check
 * alike, into EACCES: security checks fail closed.
 */
@FunctionalInterface
public interface GrantCheck {
    /** Allows everything: for a board with no security stack in front of it (tests). */
    GrantCheck ALLOW = (module, kind, resource, start, length) -> { };

    /** Returns if {@code module} may have the resource; throws otherwise. */
    void check(String module, String kind, String resource, long start, long length);
}

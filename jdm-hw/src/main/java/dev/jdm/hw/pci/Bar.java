package dev.jdm.hw.pci;

/**
 * One line of sysfs's {@code resource} file: a base address register's window (lines 0 to 5), the
 * expansion ROM (line 6) or a window behind it (SR-IOV, bridges). {@code flags} are the kernel's
 * {@code IORESOURCE_*} bits, not the register's own low bits: the kernel's view is the one that
 * counts, since it may have moved or fixed up what the device reports.
 */
public record Bar(int index, long start, long end, long flags) {
    // include/linux/ioport.h
    static final long IORESOURCE_IO = 0x100;
    static final long IORESOURCE_MEM = 0x200;
    static final long IORESOURCE_PREFETCH = 0x2000;
    static final long IORESOURCE_MEM_64 = 0x100000;

    /** The ROM's line in the file. */
    public static final int ROM = 6;

    /** I/O port space. */
    public boolean io() {
        return (flags & IORESOURCE_IO) != 0;
    }

    /** Memory space (MMIO). */
    public boolean memory() {
        return !io() && (flags & IORESOURCE_MEM) != 0;
    }

    /** A 64-bit memory BAR, which takes two registers. */
    public boolean is64Bit() {
        return memory() && (flags & IORESOURCE_MEM_64) != 0;
    }

    /** Prefetchable memory: reads have no side effects, so they may be merged and cached. */
    public boolean prefetchable() {
        return memory() && (flags & IORESOURCE_PREFETCH) != 0;
    }

    /**
     * The window's length; 0 when the kernel assigned none. As lspci counts it: {@code end > start}
     * or nothing, since sysfs writes an absent window as {@code 0 0}.
     */
    public long size() {
        return Long.compareUnsigned(end, start) > 0 ? end - start + 1 : 0;
    }

    /** Anything there at all: lspci skips a BAR with no address, no flags and no size. */
    public boolean present() {
        return start != 0 || flags != 0 || size() != 0;
    }
}

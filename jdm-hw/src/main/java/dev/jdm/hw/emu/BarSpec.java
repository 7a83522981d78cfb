package dev.jdm.hw.emu;

/** One BAR a device decodes: its index (0–5), what it is and its size (a power of two). */
public record BarSpec(int index, Kind kind, long size) {
    /** The three BAR types of the PCI spec. */
    public enum Kind {
        /** Memory, 32-bit address. */
        MEMORY32,
        /** Memory, 64-bit address: takes this BAR and the next. */
        MEMORY64,
        /** I/O ports. */
        IO
    }

    public BarSpec {
        if (index < 0 || index > 5 || (kind == Kind.MEMORY64 && index == 5)) {
            throw new IllegalArgumentException("BAR index " + index + " does not fit a " + kind + " BAR");
        }
        if (size < (kind == Kind.IO ? 4 : 16) || Long.bitCount(size) != 1) {
            throw new IllegalArgumentException("BAR size " + size + " is not a power of two of at least " + (kind == Kind.IO ? 4 : 16));
        }
    }
}

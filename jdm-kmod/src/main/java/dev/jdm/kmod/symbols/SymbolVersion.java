package dev.jdm.kmod.symbols;

/** A symbol with its CRC, as modversions and exports list them. */
public record SymbolVersion(String symbol, long crc) {

    /** "0x%08x\t&lt;symbol&gt;" as {@code modprobe --show-modversions} prints it (64-bit CRCs unabridged). */
    public String toKmodLine() {
        String hex = Long.toHexString(crc);
        return "0x" + "0".repeat(Math.max(0, 8 - hex.length())) + hex + "\t" + symbol;
    }
}

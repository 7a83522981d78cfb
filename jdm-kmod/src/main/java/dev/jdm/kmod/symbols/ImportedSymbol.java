package dev.jdm.kmod.symbols;

/**
 * A symbol a module needs from the kernel or another module.
 *
 * @param symbol the name
 * @param crc    the CRC recorded in the module's modversions (0 if none)
 * @param weak   an STB_WEAK reference, which may stay unresolved
 */
public record ImportedSymbol(String symbol, long crc, boolean weak) {
}

package dev.jdm.kmod.symbols;

/**
 * A symbol a module exports.
 *
 * @param symbol    the name
 * @param crc       its modversions CRC (0 when the module has no CRCs)
 * @param gplOnly   exported with EXPORT_SYMBOL_GPL (its ksymtab entry is in {@code __ksymtab_gpl})
 * @param namespace the symbol namespace, or "" for none
 */
public record ExportedSymbol(String symbol, long crc, boolean gplOnly, String namespace) {

    public SymbolVersion version() {
        return new SymbolVersion(symbol, crc);
    }
}

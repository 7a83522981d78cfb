package dev.jdm.kmod.compat;

/**
 * One kABI difference between two kernels.
 *
 * @param oldCrc -1 when the symbol was added
 * @param newCrc -1 when the symbol was removed
 */
public record SymbolChange(Change change, String symbol, String module, String namespace, long oldCrc, long newCrc) {

    public enum Change {
        ADDED, REMOVED, CRC_CHANGED
    }
}

package dev.jdm.kmod.symbols;

/**
 * One line of Module.symvers: {@code 0xCRC  symbol  module  EXPORT_SYMBOL[_GPL]  namespace}.
 *
 * @param module the exporting module's path without extension ("vmlinux" for the kernel)
 */
public record SymversEntry(String symbol, long crc, String module, boolean gplOnly, String namespace) {

    public boolean isVmlinux() {
        return module.equals("vmlinux");
    }
}

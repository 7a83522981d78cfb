package dev.jdm.kmod.compat;

/**
 * One reason a module will not load.
 *
 * @param kind        what is wrong
 * @param symbol      the symbol concerned, or "" for module-wide problems
 * @param moduleCrc   the CRC recorded in the module (-1 if not applicable)
 * @param kernelCrc   the CRC the kernel exports (-1 if not applicable)
 * @param exporter    who exports the symbol ("vmlinux", a module path, or "")
 * @param detail      a sentence a user can act on
 */
public record Problem(Kind kind, String symbol, long moduleCrc, long kernelCrc, String exporter, String detail) {

    public enum Kind {
        UNKNOWN_SYMBOL, CRC_MISMATCH, NO_SYMBOL_VERSION, NO_MODVERSIONS, GPL_ONLY, MISSING_NAMESPACE, VERMAGIC
    }
}

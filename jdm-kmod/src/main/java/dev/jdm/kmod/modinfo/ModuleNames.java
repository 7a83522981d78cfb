package dev.jdm.kmod.modinfo;

import dev.jdm.kmod.io.Compression;

/** Module-name rules of libkmod ({@code path_to_modname}, {@code alias_normalize}). */
public final class ModuleNames {
    private ModuleNames() {
    }

    /** "…/snd-hda-intel.ko.xz" → "snd_hda_intel": basename up to the first '.', '-' → '_'. */
    public static String fromPath(String path) {
        String base = path.substring(path.lastIndexOf('/') + 1);
        int dot = base.indexOf('.');
        if (dot >= 0) {
            base = base.substring(0, dot);
        }
        return base.replace('-', '_');
    }

    /** A module file name kmod accepts: ends in .ko, .ko.xz, .ko.zst or .ko.gz. */
    public static boolean isModuleFileName(String name) {
        return Compression.extensionLength(name) > 0;
    }

    /**
     * '-' → '_' except inside "[...]" (kmod's underscores()/alias_normalize). Returns null for
     * an unmatched bracket, which kmod reports and skips.
     */
    public static String normalizeAlias(String alias) {
        if (alias.indexOf('-') < 0 && alias.indexOf('[') < 0 && alias.indexOf(']') < 0) {
            return alias; // most aliases (pci:, usb:, acpi*:) have nothing to change: no copy
        }
        StringBuilder sb = new StringBuilder(alias.length());
        for (int i = 0; i < alias.length(); i++) {
            char c = alias.charAt(i);
            switch (c) {
                case '-' -> sb.append('_');
                case ']' -> {
                    return null;
                }
                case '[' -> {
                    int close = alias.indexOf(']', i);
                    if (close < 0) {
                        return null;
                    }
                    sb.append(alias, i, close + 1);
                    i = close;
                }
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}

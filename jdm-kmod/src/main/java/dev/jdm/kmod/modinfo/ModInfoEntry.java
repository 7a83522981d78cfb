package dev.jdm.kmod.modinfo;

/** One {@code key=value} string of a module's .modinfo section (value empty if there was no '='). */
public record ModInfoEntry(String key, String value) {

    /** Splits at the first '=' as libkmod's {@code kmod_module_get_info} does. */
    public static ModInfoEntry parse(String raw) {
        int eq = raw.indexOf('=');
        return eq < 0 ? new ModInfoEntry(raw, "") : new ModInfoEntry(raw.substring(0, eq), raw.substring(eq + 1));
    }
}

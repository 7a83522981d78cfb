package dev.jdm.host.module;

import java.util.Collection;
import java.util.Set;

/** Taint flags: marks that never clear until the host restarts, with Linux's letters. */
public enum Taint {
    /** A module with a licence not in the open-licence list was loaded. */
    PROPRIETARY('P', "proprietary module was loaded"),
    /** A module was forced in despite fingerprint mismatches, or forced out while in use. */
    FORCED('F', "module was force loaded or force unloaded"),
    /** A module from outside the bundled modules directory was loaded. */
    OUT_OF_TREE('O', "out-of-tree module was loaded"),
    /** A module's exit did not return in time; its thread may still run. */
    STUCK_EXIT('D', "stuck exit: a module's exit did not return in time and its thread may still run"),
    /** A module's native code ran in the host's own process (module.native_colocated=1). */
    NATIVE_COLOCATED('X', "native code ran colocated: a module's C shares the host's process (module.native_colocated)");

    /** Licences that do not taint, as Linux's {@code license_is_gpl_compatible} plus common open ones. */
    public static final Set<String> OPEN_LICENCES = Set.of("GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
            "Dual MIT/GPL", "Dual MPL/GPL", "MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "MPL-2.0", "LGPL-2.1");

    private final char letter;
    private final String description;

    Taint(char letter, String description) {
        this.letter = letter;
        this.description = description;
    }

    /** Linux's letter for the flag. */
    public char letter() {
        return letter;
    }

    /** What the flag means. */
    public String description() {
        return description;
    }

    /** Letters of the flags, in a fixed order ({@code "POF"} style); empty if none. */
    public static String letters(Collection<Taint> taints) {
        StringBuilder sb = new StringBuilder();
        for (Taint t : values()) {
            if (taints.contains(t)) {
                sb.append(t.letter);
            }
        }
        return sb.toString();
    }
}

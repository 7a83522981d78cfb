package dev.jdm.kmod.compat;

import java.util.List;

/**
 * The answer to "will this module load on that kernel?".
 *
 * @param module   the module file
 * @param name     the module name
 * @param checked  how many imported symbols were checked
 * @param problems empty when the module will load
 */
public record LoadVerdict(String module, String name, int checked, List<Problem> problems) {

    public boolean willLoad() {
        return problems.isEmpty();
    }
}

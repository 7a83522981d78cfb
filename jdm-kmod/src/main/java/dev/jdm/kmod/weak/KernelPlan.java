package dev.jdm.kmod.weak;

import java.util.List;

/**
 * The verdicts and link changes for one target kernel.
 *
 * @param kernel    the target
 * @param symvers   the symvers the verdicts were checked against, or null when none exists
 * @param decisions one per (module, kernel) pair looked at
 * @param ops       the link changes, removals first
 */
public record KernelPlan(InstalledKernel kernel, String symvers, List<Decision> decisions, List<LinkOp> ops) {

    public boolean changes() {
        return !ops.isEmpty();
    }
}

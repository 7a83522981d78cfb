package dev.jdm.kmod.weak;

import java.util.List;

/**
 * What one weak-updates run decided and did.
 *
 * @param action      add-modules, remove-modules, add-kernel or remove-kernel
 * @param dryRun      true when nothing was changed
 * @param kernels     the target kernels looked at
 * @param regenerated the kernels whose module indexes were regenerated
 * @param warnings    kernels skipped and files left alone
 */
public record WeakUpdatesReport(String action, boolean dryRun, List<KernelPlan> kernels, List<String> regenerated,
        List<String> warnings) {
}

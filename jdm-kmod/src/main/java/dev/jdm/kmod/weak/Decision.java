package dev.jdm.kmod.weak;

import dev.jdm.kmod.compat.Problem;
import java.nio.file.Path;
import java.util.List;

/**
 * What happened to one module for one kernel, and why.
 *
 * @param kernel     the target kernel
 * @param module     the module file
 * @param name       the module name
 * @param fromKernel the kernel the module was built for
 * @param link       its link in the target's weak-updates
 * @param outcome    what was (or, with --dry-run, would be) done
 * @param reason     why, as one word
 * @param detail     why, as a sentence; for {@link Reason#DOES_NOT_LOAD} the first problem in
 *                   {@code jdm kmod check}'s words
 * @param problems   every problem {@code jdm kmod check} found (empty unless DOES_NOT_LOAD)
 */
public record Decision(String kernel, Path module, String name, String fromKernel, Path link, Outcome outcome,
        Reason reason, String detail, List<Problem> problems) {

    public enum Outcome {
        /** a new link */
        LINKED,
        /** the link was there and still fits */
        KEPT,
        /** an existing link was removed */
        UNLINKED,
        /** no link was made */
        NOT_LINKED,
        /** the module belongs to this kernel: nothing to do */
        SKIPPED
    }

    public enum Reason {
        /** every import is exported with the same CRC, vermagic agrees, its dependencies are linked too */
        FITS,
        /** the module was built for the target kernel itself */
        OWN_KERNEL,
        /** the target ships a module of that name in updates/ or extra/, which depmod ranks first */
        SHADOWED,
        /** the kernel's loader would refuse it ({@code jdm kmod check}) */
        DOES_NOT_LOAD,
        /** it needs a module of the set that is not linked */
        NEEDS,
        /** another module of the same name or link path is linked instead */
        DUPLICATE,
        /** its removal was asked for */
        REMOVED,
        /** the kernel has no symvers, so the link was left as it was without a check */
        NOT_CHECKED
    }

    /** The module's file name, as messages show it. */
    public String fileName() {
        return module.getFileName().toString();
    }
}

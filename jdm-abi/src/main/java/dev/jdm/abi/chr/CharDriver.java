package dev.jdm.abi.chr;

import dev.jdm.abi.Implemented;
import dev.jdm.abi.Since;

/** A character driver's entry point: one call per open, after the host allowed it. */
@Implemented
@FunctionalInterface
@Since("JDM_1.2")
public interface CharDriver {
    /**
     * Opens the node; the returned file holds this open's state until its {@link CharFile#release}.
     *
     * @throws CharException to refuse the open with an errno (EBUSY, ENXIO, ...)
     */
    CharFile open(CharOpen open);
}

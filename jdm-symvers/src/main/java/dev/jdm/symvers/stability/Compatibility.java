package dev.jdm.symvers.stability;

import dev.jdm.symvers.Definition;
import java.util.Optional;

/**
 * Whether a change to a released symbol's definition could break a module built against it.
 *
 * <p>Today's rule is the conservative one: any fact of the expanded definition that differs could
 * break some module, so every difference is refused and named. It never accepts a breaking change;
 * it may refuse a compatible one (a constant added to a type the module reaches, say), which costs
 * the ABI's developers an adapter or a new symbol, never a module's user a failed load. Rules per
 * kind of fact that accept the changes that are safe in one direction replace it fact by fact.
 */
public final class Compatibility {
    private Compatibility() {}

    /**
     * The reason the change from {@code released} to {@code now} could break a module built
     * against {@code released}, or empty if it cannot.
     */
    public static Optional<String> breaks(Definition released, Definition now) {
        if (released.lines().equals(now.lines())) {
            return Optional.empty();
        }
        return Optional.of(released.explainAgainst(now));
    }
}

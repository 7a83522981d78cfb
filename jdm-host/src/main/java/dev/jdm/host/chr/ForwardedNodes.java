package dev.jdm.host.chr;

import dev.jdm.abi.chr.CharDevice;
import dev.jdm.abi.chr.CharDriver;
import dev.jdm.abi.chr.CharLayer;

/**
 * Registers a node whose driver runs outside the host (a module in an isolated domain) on that
 * module's own layer, so it is a node like any other: the same name, number and mode checks, the
 * same security hooks, listing, open files and waiting; only its driver and calls are proxies.
 */
public final class ForwardedNodes {
    private ForwardedNodes() {}

    /**
     * What the module asked for; -1 leaves a value at its default.
     *
     * @param name the node's name
     */
    public record Spec(String name, int major, int minor, int owner, int group, int mode) {}

    /**
     * Registers {@code spec} on {@code layer} (the module's {@code chr()} face in the host).
     *
     * @param calls the node's typed calls ({@link TypedCalls#forwarded}), or null
     * @throws IllegalArgumentException naming a bad value
     * @throws IllegalStateException if the name or number is taken, or the module is going
     */
    public static CharDevice register(CharLayer layer, Spec spec, CharDriver driver, TypedCalls calls) {
        if (!(layer instanceof ModuleCharLayer m)) {
            throw new IllegalArgumentException("not a module's character layer: " + layer);
        }
        NodeBuilder b = (NodeBuilder) m.device(spec.name());
        if (spec.major() >= 0 || spec.minor() >= 0) {
            b.number(spec.major(), spec.minor());
        }
        if (spec.owner() >= 0) {
            b.owner(spec.owner());
        }
        if (spec.group() >= 0) {
            b.group(spec.group());
        }
        if (spec.mode() >= 0) {
            b.mode(spec.mode());
        }
        return b.calls(calls).register(driver);
    }
}

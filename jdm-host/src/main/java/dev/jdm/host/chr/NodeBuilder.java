package dev.jdm.host.chr;

import dev.jdm.abi.chr.CharDevice;
import dev.jdm.abi.chr.CharDriver;

/** A node being described by its module; nothing is visible until {@link #register}. */
final class NodeBuilder extends NodeDescription {
    private final CharRegistry registry;
    private final ModuleCharLayer layer;

    NodeBuilder(CharRegistry registry, ModuleCharLayer layer, String name) {
        super(name, registry.hostUid(), registry.hostGid(), 0600);
        this.registry = registry;
        this.layer = layer;
    }

    /** Calls checked and built already (a node forwarded to a domain). */
    NodeBuilder calls(TypedCalls calls) {
        this.calls = calls;
        return this;
    }

    @Override
    public CharDevice register(CharDriver driver) {
        if (driver == null) {
            throw new IllegalArgumentException(name + ": no driver");
        }
        return registry.add(layer, name, major, minor, owner, group, mode, driver, calls);
    }
}

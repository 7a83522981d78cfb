package dev.jdm.host.chr;

import dev.jdm.abi.chr.CharDevice;
import dev.jdm.abi.chr.CharDriver;

/** A node being described by its module; nothing is visible until {@link #register}. */
final class NodeBuilder implements CharDevice.Builder {
    private final CharRegistry registry;
    private final ModuleCharLayer layer;
    private final String name;
    private int major = -1;
    private int minor = -1;
    private int owner;
    private int group;
    private int mode = 0600;
    private TypedCalls calls;

    NodeBuilder(CharRegistry registry, ModuleCharLayer layer, String name) {
        NodeRules.name(name);
        this.registry = registry;
        this.layer = layer;
        this.name = name;
        this.owner = registry.hostUid();
        this.group = registry.hostGid();
    }

    @Override
    public CharDevice.Builder number(int major, int minor) {
        NodeRules.number(name, major, minor);
        this.major = major;
        this.minor = minor;
        return this;
    }

    @Override
    public CharDevice.Builder owner(int uid) {
        this.owner = NodeRules.id(name, uid, "owner");
        return this;
    }

    @Override
    public CharDevice.Builder group(int gid) {
        this.group = NodeRules.id(name, gid, "group");
        return this;
    }

    @Override
    public CharDevice.Builder mode(int mode) {
        this.mode = NodeRules.mode(name, mode);
        return this;
    }

    @Override
    public <T> CharDevice.Builder calls(Class<T> api, T impl) {
        if (api == null || impl == null || !api.isInstance(impl)) {
            throw new IllegalArgumentException(name + ": calls(): give an interface and an implementation of it");
        }
        this.calls = TypedCalls.of(name, api, impl);
        return this;
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

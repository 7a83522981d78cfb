package dev.jdm.host.chr;

import dev.jdm.abi.chr.CharDevice;

/**
 * What a module says about a node before it registers it: name, number, owner, group, mode and typed
 * calls, each checked by {@link NodeRules} as it is given. The host's builder and a domain's share it
 * and differ only in {@link #register}: one adds the node to the registry, the other asks the host to.
 */
public abstract class NodeDescription implements CharDevice.Builder {
    protected final String name;
    protected int major = -1;
    protected int minor = -1;
    protected int owner;
    protected int group;
    protected int mode;
    /** The typed calls' interface, or null. */
    protected Class<?> api;
    protected TypedCalls calls;

    /** {@code owner}, {@code group} and {@code mode} are what the node gets unless the module says. */
    protected NodeDescription(String name, int owner, int group, int mode) {
        this.name = NodeRules.name(name);
        this.owner = owner;
        this.group = group;
        this.mode = mode;
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
        this.api = api;
        return this;
    }
}

package dev.jdm.host.chr;

import dev.jdm.abi.chr.CharDevice;
import dev.jdm.abi.chr.CharDriver;

/** A node being described by its module; nothing is visible until {@link #register}. */
final class NodeBuilder implements CharDevice.Builder {
    static final String NAME = "[a-z][a-z0-9_-]{0,31}";
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
        if (name == null || !name.matches(NAME)) {
            throw new IllegalArgumentException("char device name \"" + name + "\": 1-32 of [a-z0-9_-], starting with a letter");
        }
        this.registry = registry;
        this.layer = layer;
        this.name = name;
        this.owner = registry.hostUid();
        this.group = registry.hostGid();
    }

    @Override
    public CharDevice.Builder number(int major, int minor) {
        if (major < 0 || major > 4095 || minor < 0 || minor > 0xfffff) {
            throw new IllegalArgumentException(name + ": device number " + major + ":" + minor + " (major 0..4095, minor 0..1048575)");
        }
        this.major = major;
        this.minor = minor;
        return this;
    }

    @Override
    public CharDevice.Builder owner(int uid) {
        this.owner = id(uid, "owner");
        return this;
    }

    @Override
    public CharDevice.Builder group(int gid) {
        this.group = id(gid, "group");
        return this;
    }

    private int id(int id, String what) {
        if (id < 0) {
            throw new IllegalArgumentException(name + ": " + what + " " + id + " is not a uid/gid");
        }
        return id;
    }

    @Override
    public CharDevice.Builder mode(int mode) {
        if (mode < 0 || mode > 0777) {
            throw new IllegalArgumentException(name + ": mode 0" + Integer.toOctalString(mode) + " has bits beyond 0777");
        }
        this.mode = mode;
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

package dev.jdm.host.domain.process;

import dev.jdm.abi.chr.CharDevice;
import dev.jdm.abi.chr.CharDriver;
import dev.jdm.abi.chr.CharException;
import dev.jdm.errno.Errno;
import dev.jdm.host.chr.NodeRules;
import dev.jdm.host.chr.TypedCalls;
import dev.jdm.host.domain.DomainProtocol;
import dev.jdm.isolation.channel.ControlChannelException;

/**
 * A node described in a domain: checked here as the host would (so a module's mistake is its own
 * error), then registered by the host (CHR_REGISTER), which makes the real node and checks it again.
 * Typed calls are served here; the host reads the interface's schema from the module's JAR by the
 * name sent.
 */
final class RemoteNodeBuilder implements CharDevice.Builder {
    private final String module;
    private final String name;
    private final DomainNodes nodes;
    private int major = -1;
    private int minor = -1;
    private int owner = -1;
    private int group = -1;
    private int mode = -1;
    private Class<?> api;
    private TypedCalls calls;

    RemoteNodeBuilder(String module, String name, DomainNodes nodes) {
        NodeRules.name(name);
        this.module = module;
        this.name = name;
        this.nodes = nodes;
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

    @Override
    public CharDevice register(CharDriver driver) {
        if (driver == null) {
            throw new IllegalArgumentException(name + ": no driver");
        }
        RemoteCharDevice d = new RemoteCharDevice(module, name, nodes);
        nodes.add(new DomainNodes.Node(module, driver, d, calls)); // first: the host may open it before its answer is read here
        int errno;
        String message;
        try {
            DomainProtocol.Reader in = nodes.host().ask(DomainProtocol.CHR_REGISTER, w -> w.name(module).name(name).i(major).i(minor).i(owner)
                    .i(group).i(mode).message(api == null ? "" : api.getName()));
            errno = in.i("errno", 0, 4095);
            message = in.message("message");
            int maj = in.i("major");
            int min = in.i("minor");
            in.end();
            d.numbered(maj, min);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            d.drop();
            throw new IllegalStateException(name + ": interrupted while the host registered it");
        } catch (ControlChannelException e) {
            d.drop();
            throw new IllegalStateException(name + ": the host's answer: " + e.getMessage());
        }
        if (errno != 0) {
            d.drop();
            if (errno == Errno.EINVAL.number()) {
                throw new IllegalArgumentException(message);
            }
            if (errno == Errno.EEXIST.number()) {
                throw new IllegalStateException(message);
            }
            throw new CharException(errno, message);
        }
        return d;
    }
}

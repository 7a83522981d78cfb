package dev.jdm.host.domain.process;

import dev.jdm.abi.chr.CharDevice;
import dev.jdm.abi.chr.CharDriver;
import dev.jdm.abi.chr.CharException;
import dev.jdm.errno.Errno;
import dev.jdm.host.chr.NodeDescription;
import dev.jdm.host.domain.DomainProtocol;
import dev.jdm.isolation.channel.ControlChannelException;

/**
 * A node described in a domain: checked here as the host would (so a module's mistake is its own
 * error), then registered by the host (CHR_REGISTER), which makes the real node and checks it again.
 * Typed calls are served here; the host reads the interface's schema from the module's JAR by the
 * name sent.
 */
final class RemoteNodeBuilder extends NodeDescription {
    private final String module;
    private final DomainNodes nodes;

    /** owner, group and mode -1: unless the module says, the host's defaults */
    RemoteNodeBuilder(String module, String name, DomainNodes nodes) {
        super(name, -1, -1, -1);
        this.module = module;
        this.nodes = nodes;
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

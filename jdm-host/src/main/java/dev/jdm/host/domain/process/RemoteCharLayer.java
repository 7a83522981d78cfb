package dev.jdm.host.domain.process;

import dev.jdm.abi.chr.CharDevice;
import dev.jdm.abi.chr.CharLayer;
import dev.jdm.abi.chr.HostLog;

/** A module's character layer in a domain: its nodes are the host's, their drivers run here ({@link DomainNodes}). */
final class RemoteCharLayer implements CharLayer {
    private final String module;
    private final DomainNodes nodes;
    private volatile boolean closed;

    RemoteCharLayer(String module, DomainNodes nodes) {
        this.module = module;
        this.nodes = nodes;
    }

    @Override
    public CharDevice.Builder device(String name) {
        if (closed) {
            throw new IllegalStateException(module + ": char device " + name + ": the module is going");
        }
        return new RemoteNodeBuilder(module, name, nodes);
    }

    @Override
    public HostLog hostLog() {
        return nodes.log(module);
    }

    void close() {
        closed = true;
        nodes.forget(module);
    }
}

package dev.jdm.host.domain.process;

import dev.jdm.abi.chr.CharDevice;
import dev.jdm.host.domain.DomainProtocol;
import java.util.concurrent.atomic.AtomicBoolean;

/** A node as its driver in a domain sees it: wake and remove are told to the host, whose node it is. */
final class RemoteCharDevice implements CharDevice {
    private final String module;
    private final String name;
    private final DomainNodes nodes;
    private final AtomicBoolean removed = new AtomicBoolean();
    private volatile int major = -1;
    private volatile int minor = -1;

    RemoteCharDevice(String module, String name, DomainNodes nodes) {
        this.module = module;
        this.name = name;
        this.nodes = nodes;
    }

    void numbered(int major, int minor) {
        this.major = major;
        this.minor = minor;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int major() {
        return major;
    }

    @Override
    public int minor() {
        return minor;
    }

    @Override
    public void wake() {
        if (removed.get()) {
            return;
        }
        try {
            nodes.host().send(DomainProtocol.CHR_WAKE, new DomainProtocol.Writer().name(module).name(name).bytes());
        } catch (RuntimeException e) {
            // the host is gone: nobody waits any more
        }
    }

    @Override
    public void remove() {
        if (!removed.compareAndSet(false, true)) {
            return;
        }
        nodes.removed(this);
        try {
            nodes.host().send(DomainProtocol.CHR_REMOVE, new DomainProtocol.Writer().name(module).name(name).bytes());
        } catch (RuntimeException e) {
            // the host is gone, and the node with it
        }
    }

    /** Forgotten here without telling the host (the registration failed, or the module went). */
    void drop() {
        removed.set(true);
        nodes.removed(this);
    }
}

package dev.jdm.host.domain.process;

import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.host.domain.DomainProtocol;

/** An LU registered through the host, as its driver in the domain sees it. */
final class RemoteDevice implements BlockDevice {
    private final String module;
    private final String name;
    private final long size;
    private final HostLink host;
    private final DomainLu lu;
    private final Runnable removed;
    private volatile long guard;
    private volatile boolean gone;

    RemoteDevice(String module, String name, long size, long guard, HostLink host, DomainLu lu, Runnable removed) {
        this.module = module;
        this.name = name;
        this.size = size;
        this.guard = guard;
        this.host = host;
        this.lu = lu;
        this.removed = removed;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long bootGuard() {
        return guard;
    }

    @Override
    public void bootGuard(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException(module + ": " + name + ": boot guard must not be negative, not " + bytes);
        }
        guard = bytes;
        host.send(DomainProtocol.BOOT_GUARD, new DomainProtocol.Writer().name(module).name(name).l(bytes).bytes());
    }

    /** Asks the host to remove it; the LU's server stops once the host closed the ring's channel. */
    @Override
    public synchronized void remove() {
        if (gone) {
            return;
        }
        gone = true;
        host.send(DomainProtocol.REMOVE_LU, new DomainProtocol.Writer().name(module).name(name).bytes());
        removed.run();
    }
}

package dev.jdm.host.domain.process;

import dev.jdm.abi.sec.LogSink;
import dev.jdm.abi.sec.SecurityModule;
import dev.jdm.abi.sec.SecurityRegistrar;
import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;

/**
 * A module's security registrar in a domain: the security module stays here and votes here
 * ({@link DomainVotes}); the host stacks a proxy for it (REGISTER_LSM) with the same checks a
 * colocated module meets. What it answers without asking came with the LOAD.
 */
final class RemoteRegistrar implements SecurityRegistrar {
    private final String module;
    private final HostLink host;
    private final DomainVotes votes;
    private final boolean permissive;
    private final int hostUid;

    RemoteRegistrar(String module, HostLink host, DomainVotes votes, boolean permissive, int hostUid) {
        this.module = module;
        this.host = host;
        this.votes = votes;
        this.permissive = permissive;
        this.hostUid = hostUid;
    }

    @Override
    public void register(SecurityModule impl) {
        if (impl == null) {
            throw new IllegalArgumentException(module + ": register(null)");
        }
        votes.add(module, impl); // before the host stacks it: the first votes may come at once
        HostLink.Answer a;
        try {
            a = host.registerLsm(module);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            votes.forget(module);
            throw new IllegalStateException(module + ": interrupted while the host stacked its security module");
        }
        if (a.errno() != 0) {
            votes.forget(module);
            throw new HostException(Errno.ofNumber(a.errno()).orElse(Errno.EINVAL), a.message());
        }
    }

    @Override
    public boolean permissive() {
        return permissive;
    }

    @Override
    public int hostUid() {
        return hostUid;
    }

    /** A domain may write no file; its module's audit log would have to travel to the host, which it does not yet. */
    @Override
    public LogSink openLog(String name, long maxBytes, int keep) {
        throw new UnsupportedOperationException(module + ": security log files cannot be opened from an isolated domain yet");
    }
}

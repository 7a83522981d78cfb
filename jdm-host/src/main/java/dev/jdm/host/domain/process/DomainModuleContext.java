package dev.jdm.host.domain.process;

import dev.jdm.abi.AbiInfo;
import dev.jdm.abi.Log;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.Params;
import dev.jdm.abi.blk.BlockLayer;
import dev.jdm.abi.chr.CharLayer;
import dev.jdm.abi.hw.HwLayer;
import dev.jdm.abi.mem.Kmem;
import dev.jdm.abi.sec.SecurityRegistrar;
import dev.jdm.host.mem.ModuleKmem;
import dev.jdm.host.module.ModuleDefinition;
import java.util.Optional;

/**
 * A module's context inside a domain: params, kmem and the ABI description served here, the log
 * forwarded to the host's ring, block registration and char nodes proxied to the host. Security registration and
 * exports between modules are served among the modules of this domain (docs/domains.md).
 */
final class DomainModuleContext implements ModuleContext {
    private final String name;
    private final ModuleDefinition def;
    private final Log log;
    private final ModuleKmem kmem;
    private final RemoteBlockLayer block;
    private volatile boolean dead;
    private final SecurityRegistrar security;
    private final DomainExports exports;
    private final RemoteCharLayer chr;
    private final RemoteHwLayer hw;

    DomainModuleContext(String name, ModuleDefinition def, HostLink host, SecurityRegistrar security, DomainExports exports, DomainNodes nodes,
            DomainHwCalls hwCalls, DomainUsbCalls usbCalls, long kmemLimit) {
        this.hw = new RemoteHwLayer(name, host, hwCalls, usbCalls);
        this.chr = new RemoteCharLayer(name, nodes);
        this.security = security;
        this.exports = exports;
        this.name = name;
        this.def = def;
        this.log = (level, message) -> host.log(name, level, message);
        // the host's kmem.module_limit_bytes as it was at this LOAD; the domain's RLIMIT_AS bounds all its modules together
        this.kmem = new ModuleKmem(name, () -> false, () -> kmemLimit);
        this.block = new RemoteBlockLayer(name, host);
    }

    private void alive() {
        if (dead) {
            throw new IllegalStateException(name + ": module context used after the module was unloaded");
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Params params() {
        alive();
        return def.params();
    }

    @Override
    public Log log() {
        alive();
        return log;
    }

    @Override
    public Kmem kmem() {
        alive();
        return kmem;
    }

    /** Among the modules of this domain: a module and its dependencies share it. */
    @Override
    public <T> void export(Class<T> api, T impl) {
        alive();
        exports.export(name, def.loader(), api, impl);
    }

    @Override
    public <T> Optional<T> lookup(Class<T> api) {
        alive();
        return exports.lookup(api);
    }

    @Override
    public BlockLayer block() {
        alive();
        return block;
    }

    /** Forwarded: the module's security module votes here, asked by the host's stack (DomainVotes). */
    @Override
    public SecurityRegistrar security() {
        alive();
        return security;
    }

    @Override
    public CharLayer chr() {
        alive();
        return chr;
    }

    /** Forwarded: the host binds the module's driver by its aliases and calls its probe here (DomainHwCalls). */
    @Override
    public HwLayer hw() {
        alive();
        return hw;
    }

    @Override
    public AbiInfo abi() {
        alive();
        return def.abi();
    }

    /** The module is gone: its LUs stop, its memory is reclaimed. */
    void kill() {
        dead = true;
        block.close();
        chr.close();
        kmem.reclaim();
    }
}

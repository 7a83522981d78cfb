package dev.jdm.abi;

import dev.jdm.abi.blk.BlockLayer;
import dev.jdm.abi.chr.CharLayer;
import dev.jdm.abi.hw.HwLayer;
import dev.jdm.abi.mem.Kmem;
import dev.jdm.abi.sec.SecurityRegistrar;
import java.util.Optional;

/**
 * What the host gives a module at init: its parameters, its log, its memory, and the exports of
 * other modules. Valid until the module's {@code close()} returns.
 */
@Provided
public interface ModuleContext {
    /** The module's name as loaded. */
    String name();

    /** The parameters given at load time, with declared defaults. */
    Params params();

    /** The module's logger into the host's log ring. */
    Log log();

    /** The module's memory allocator; everything allocated is accounted to this module. */
    Kmem kmem();

    /**
     * Offers {@code impl} to other modules under {@code api}, a type this module {@link Export}s.
     *
     * @throws IllegalStateException if something is already offered under {@code api}
     */
    <T> void export(Class<T> api, T impl);

    /**
     * Looks up what a module this one depends on offers under {@code api}. Holding the result
     * keeps nothing extra alive: the dependency is already pinned by this module.
     */
    <T> Optional<T> lookup(Class<T> api);

    /** The block layer: register LUs, use granted backing storage. */
    BlockLayer block();
    /** The way into the security stack: register a security module, open a granted log file. */
    SecurityRegistrar security();

    /** What this host serves: its generation, and whether it exports a symbol (to probe before using it). */
    @Since("JDM_1.1")
    AbiInfo abi();

    /** The character-device layer: register device nodes with file operations and typed calls. */
    @Since("JDM_1.2")
    CharLayer chr();

    /** The hardware layer: register a driver for the devices the module's {@code @PciId} table matches. */
    @Since("JDM_1.2")
    HwLayer hw();
}
